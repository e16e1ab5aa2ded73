# §8.3: include? / === with IPAddr and String arguments; other family false.
require "ipaddr"
net = IPAddr.new("127.0.0.10/31")
p net.include?("127.0.0.10"), net.include?("127.0.0.11"), net.include?("127.0.0.12")
p net.include?(IPAddr.new("127.0.0.11")), net === "127.0.0.10"
p IPAddr.new("10.0.0.0/8").include?("10.255.1.1"), IPAddr.new("10.0.0.0/8").include?("::1")
p IPAddr.new("2001:db8::/32").include?("2001:db8:1::5")
expected = IPAddr.new("127.0.0.2")
answers = ["127.0.0.2", "127.0.0.3"]
p answers.map { |a| expected.include?(a) }
