# §3.4: `class << obj` with defs, constants and private, as in the stock
# applicable-condition files.
s25r = Object.new
s25r.instance_eval do
  @whitelist = []
  @only_check_ipv4 = true
end
class << s25r
  TIMEOUT = 5
  def add_whitelist(matcher)
    @whitelist << matcher
  end
  def white?(host)
    match?(@whitelist, host)
  end
  def timeout
    TIMEOUT
  end
  private
  def match?(list, host)
    list.any? { |m| m === host }
  end
end
s25r.add_whitelist(/\.google\.com\z/)
p s25r.white?("mx.google.com"), s25r.white?("example.org"), s25r.timeout
p s25r.respond_to?(:match?), s25r.respond_to?(:white?)
