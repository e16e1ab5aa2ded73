# §8.3: private? loopback? link_local? == eql? hash to_range.
require "ipaddr"
%w[10.1.1.1 172.16.0.1 172.32.0.1 192.168.1.1 8.8.8.8 127.0.0.1 169.254.1.1 ::1 fe80::1 fc00::1].each do |a|
  ip = IPAddr.new(a)
  puts "#{a} private=#{ip.private?} loopback=#{ip.loopback?} link_local=#{ip.link_local?}"
end
p IPAddr.new("10.0.0.1") == IPAddr.new("10.0.0.1"), IPAddr.new("10.0.0.1") == "10.0.0.1"
p IPAddr.new("10.0.0.1").eql?(IPAddr.new("10.0.0.1")), IPAddr.new("1.1.1.1").hash == IPAddr.new("1.1.1.1").hash
r = IPAddr.new("192.168.0.0/30").to_range
p r.begin.to_s, r.end.to_s
p({ IPAddr.new("1.2.3.4") => :k }[IPAddr.new("1.2.3.4")])
