# trust.conf without the DSL: `configuration = @configuration` at top level,
# an object with clear/add/trusted? methods and a private parser.
@configuration = :config_object
configuration = @configuration
trust = Object.new
trust.instance_eval do
  @configuration = configuration
end
class << trust
  def clear
    @envelope_from_domains = []
  end
  def add_envelope_from_domain(domain_matcher = Proc.new)
    @envelope_from_domains << domain_matcher
  end
  def trusted_envelope_from_domain?(envelope_from)
    user, domain = parse_envelope_from(envelope_from)
    return false if domain.nil?
    @envelope_from_domains.any? do |matcher|
      matcher.respond_to?(:call) ? matcher.call(domain.downcase) : matcher === domain.downcase
    end
  end
  private
  def parse_envelope_from(envelope_from)
    user = domain = nil
    if /\A<(.+?)@(.+?)>\z/ =~ envelope_from
      user = $1
      domain = $2
    end
    [user, domain]
  end
end
trust.clear
%w[gmail.com hotmail.com].each { |d| trust.add_envelope_from_domain(d) }
trust.add_envelope_from_domain(lambda { |d| d.end_with?(".ne.jp") })
["<a@Gmail.COM>", "<b@evil.com>", "<>", "<c@docomo.ne.jp>", "d@gmail.com"].each do |from|
  p [from, trust.trusted_envelope_from_domain?(from)]
end
p trust.instance_variable_get(:@configuration)
