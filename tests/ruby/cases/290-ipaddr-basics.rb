# §8.3: IPAddr.new with addresses, prefixes and masks; to_s, inspect.
require "ipaddr"
p IPAddr.new("192.168.1.10").to_s, IPAddr.new("127.0.0.10/31").to_s
p IPAddr.new("127.0.0.10/31"), IPAddr.new("10.1.2.3/8"), IPAddr.new("10.0.0.0/255.255.0.0")
p IPAddr.new("::1"), IPAddr.new("2001:db8::1/64").to_s, IPAddr.new("2001:DB8::1").to_s
p IPAddr.new("10.0.0.1").ipv4?, IPAddr.new("::1").ipv6?, IPAddr.new("::1").ipv4?
p IPAddr.new("192.168.0.0/16").prefix, IPAddr.new("::/0").prefix
p IPAddr.new("192.168.5.5").mask(24).to_s, IPAddr.new("192.168.5.5").mask(16)
