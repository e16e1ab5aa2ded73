# §3.4: klass.send(:define_method, :name) do ... end on a singleton class,
# from outside the class (the stock-files idiom), and on a class.
remote_network = Object.new
remote_network.instance_variable_set(:@local, ["192.168.0.0/16"])
class << remote_network
  def locals
    @local
  end
end
host = Object.new
sc = class << host; self; end
sc.send(:define_method, :remote_network) do
  remote_network
end
p host.remote_network.locals
String.send(:define_method, :twice) { self * 2 }
p "ab".twice
p host.respond_to?(:remote_network)
