# dnsbl.conf: `class << dnsbl` with a constant, ||= on a Hash ivar, += on an
# Array inside it, a private helper, `return false unless …`.
require "ipaddr"
dnsbl = Object.new
dnsbl.instance_eval { @services = []; @dns_configration = nil }
class << dnsbl
  TIMEOUT = 5
  def add_service(domain, expected_answer = nil)
    @services.push([domain, expected_answer ? IPAddr.new(expected_answer) : nil])
  end
  def name_servers=(name_servers)
    @dns_configuration ||= {}
    @dns_configuration[:nameserver] ||= []
    @dns_configuration[:nameserver] += name_servers
  end
  def listed?(address, answers)
    return false unless address.ipv4?
    listed_address?(address, answers) && TIMEOUT == 5
  end
  private
  def listed_address?(address, answers)
    rev_address = address.to_s.split(".").reverse.join(".")
    @services.any? do |domain, expected|
      answer = answers["#{rev_address}.#{domain}"]
      answer && (expected.nil? || expected.include?(answer))
    end
  end
end
dnsbl.add_service("zen.example", "127.0.0.10/31")
dnsbl.add_service("bl.example")
dnsbl.name_servers = ["192.0.2.53"]
dnsbl.name_servers = ["192.0.2.54"]
answers = { "4.3.2.1.zen.example" => "127.0.0.11", "8.7.6.5.zen.example" => "127.0.0.2",
            "9.9.9.9.bl.example" => "127.0.0.2" }
%w[1.2.3.4 5.6.7.8 9.9.9.9 ::1].each { |a| p [a, dnsbl.listed?(IPAddr.new(a), answers)] }
p dnsbl.instance_variable_get(:@dns_configuration), dnsbl.instance_variable_get(:@dns_configration)
p dnsbl.respond_to?(:listed_address?)
