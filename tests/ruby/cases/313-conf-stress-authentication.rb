# stress.conf / authentication.conf: wrapper objects with setter methods and
# `not context.authenticated?` stoppers as lambdas over a fake context.
class Ctx
  def initialize(macros, sessions)
    @macros = macros
    @sessions = sessions
  end
  def [](name)
    @macros[name.to_s.delete("{}")]
  end
  def authenticated?
    !(self["auth_type"].nil? && self["auth_authen"].nil?)
  end
  attr_reader :sessions
end
breaker = Object.new
breaker.instance_eval { @threshold = 0 }
stress = Object.new
stress.instance_eval { @breaker = breaker }
class << breaker
  attr_accessor :threshold
  def stressing?(ctx)
    @threshold != 0 && @threshold <= ctx.sessions
  end
end
class << stress
  def threshold_n_connections=(n)
    @breaker.threshold = n
  end
end
stress.threshold_n_connections = 3
unauth = ->(ctx, from) { ctx.authenticated? }
auth = ->(ctx, from) { not ctx.authenticated? }
[Ctx.new({ "auth_type" => "PLAIN" }, 1), Ctx.new({}, 5)].each do |c|
  p [auth.call(c, "<a@b>"), unauth.call(c, "<a@b>"), breaker.stressing?(c)]
end
