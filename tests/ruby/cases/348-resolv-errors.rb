# §8.4: Resolv::DNS with an unreachable loopback nameserver raises
# Resolv::ResolvError (only the class is compared); Resolv::ResolvError is a
# StandardError.
require "resolv"
dns = Resolv::DNS.new(nameserver_port: [["127.0.0.1", 1]])
dns.timeouts = 0.3
begin
  dns.getaddress("example.invalid")
  p :resolved
rescue Resolv::ResolvError => e
  p e.class
end
dns.close
p Resolv::ResolvError.new.is_a?(StandardError)
p (0..23).include?(Time.now.hour)
