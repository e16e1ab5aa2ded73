# s25r.conf without the DSL: an Object with ivars set by instance_eval, a
# `class << obj` body with public and private methods, `and`/`!` logic.
v4, v6 = Object.new, Object.new
v4.define_singleton_method(:ipv4?) { true }
v6.define_singleton_method(:ipv4?) { false }
s25r = Object.new
s25r.instance_eval do
  @whitelist = []
  @blacklist = []
  @only_check_ipv4 = true
end
class << s25r
  def add_whitelist(host_matcher = Proc.new)
    @whitelist << host_matcher
  end
  def add_blacklist(host_matcher = Proc.new)
    @blacklist << host_matcher
  end
  def white?(host, address)
    return true if only_check_ipv4? and !address.ipv4?
    match?(@whitelist, host)
  end
  def black?(host, address)
    return false if only_check_ipv4? and !address.ipv4?
    match?(@blacklist, host)
  end
  attr_reader :only_check_ipv4
  alias_method :only_check_ipv4?, :only_check_ipv4
  private
  def match?(list, host)
    list.any? { |m| m.respond_to?(:call) ? m.call(host) : m === host }
  end
end
s25r.add_whitelist(/\.google\.com\z/)
s25r.add_blacklist("unknown")
s25r.add_blacklist(/\A[^.]*\d{5}/)
%w[mx.google.com unknown h12345.example.net mail.example.org].each do |host|
  verdict = s25r.white?(host, v4) ? :white : s25r.black?(host, v4) ? :black : :none
  puts "#{host}: #{verdict} v6:#{s25r.white?(host, v6)}"
end
