# sendmail-compatible.conf: context["x"] ||= value, lambdas capturing a cache,
# rescue with $!.message.
class Ctx
  def initialize
    @m = { "v" => "Postfix 3.7" }
  end
  def [](k)
    @m[k]
  end
  def []=(k, v)
    @m[k] = v.nil? ? nil : v.to_s
  end
  def postfix?
    /\bPostfix\b/i =~ (self["v"] || "") ? true : false
  end
end
class ResolveError < StandardError; end
caches = {}
resolve = lambda do |ip|
  return nil if ip.nil?
  begin
    (caches[ip] ||= (ip == "10.9.9.9" ? raise(ResolveError, "no name for #{ip}") : "mx.#{ip}"))
  rescue ResolveError
    puts "[warning] can't resolve: <#{ip}>: <#{$!.message}>"
    nil
  end
end
ctx = Ctx.new
if ctx.postfix?
  ctx["if_addr"] ||= "192.0.2.25"
  ctx["if_name"] ||= resolve.call(ctx["if_addr"])
  ctx["daemon_port"] ||= 25
end
ctx["i"] ||= "dummy-id" if ctx.postfix?
p ctx["if_addr"], ctx["if_name"], ctx["daemon_port"], ctx["i"]
p resolve.call("10.9.9.9"), caches
