# remote-network.conf: an object wrapping a matcher, exposed through a
# singleton method defined with send(:define_method).
require "ipaddr"
class Matcher
  def initialize
    @local = []
    @remote = []
  end
  def add_local_address(a)
    @local << (a.is_a?(IPAddr) ? a : IPAddr.new(a))
  end
  def add_remote_address(a)
    @remote << IPAddr.new(a)
  end
  def local_address?(ip)
    return false if @remote.any? { |net| net.include?(ip) }
    ip.private? || ip.loopback? || @local.any? { |net| net.include?(ip) }
  end
end
address_matcher = Matcher.new
remote_network = Object.new
remote_network.instance_eval { @address_matcher = address_matcher }
class << remote_network
  def add_local_address(address)
    @address_matcher.add_local_address(address)
  end
  def add_remote_address(address)
    @address_matcher.add_remote_address(address)
  end
end
singleton_class = class << self; self; end
singleton_class.send(:define_method, :remote_network) { remote_network }
remote_network.add_local_address("203.0.113.0/24")
remote_network.add_remote_address("192.168.100.0/24")
%w[10.0.0.1 203.0.113.7 192.168.100.5 198.51.100.1 ::1].each do |a|
  p [a, !address_matcher.local_address?(IPAddr.new(a))]
end
