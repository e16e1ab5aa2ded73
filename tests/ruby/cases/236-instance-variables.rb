# §6 Object: instance_variable_get/set, instance_variables.
o = Object.new
p o.instance_variables, o.instance_variable_get(:@nope)
o.instance_variable_set(:@a, 1)
o.instance_variable_set("@b", [2])
p o.instance_variables, o.instance_variable_get("@a"), o.instance_variable_get(:@b)
class Holder
  def initialize
    @z = 1
    @y = 2
  end
end
p Holder.new.instance_variables
dnsbl = Object.new
dnsbl.instance_variable_set(:@dns_configuration, { nameserver_port: [["127.0.0.1", 53]] })
p dnsbl.instance_variable_get(:@dns_configuration)
