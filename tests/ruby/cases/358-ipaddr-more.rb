# §8.3: IPv4-mapped IPv6, masks on IPv6, to_s compression, inspect.
require "ipaddr"
p IPAddr.new("::ffff:192.168.0.1").to_s, IPAddr.new("::ffff:192.168.0.1").ipv6?
p IPAddr.new("2001:db8:0:0:1:0:0:1").to_s, IPAddr.new("2001:0db8::0001").to_s
p IPAddr.new("2001:db8::/32"), IPAddr.new("2001:db8::1").mask(48).to_s
p IPAddr.new("0.0.0.0/0").include?("255.255.255.255"), IPAddr.new("1.2.3.4/32").to_s
p IPAddr.new("fe80::1").include?("fe80::1"), IPAddr.new("::").to_s
p IPAddr.new("192.168.1.0/24") == IPAddr.new("192.168.1.77/24")
