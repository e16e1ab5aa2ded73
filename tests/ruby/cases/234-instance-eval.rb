# §3.4: instance_eval with a block: self is the object, ivars are its ivars,
# outer locals stay visible, def defines singleton methods.
configuration = :the_config
trust = Object.new
trust.instance_eval do
  @configuration = configuration
  @domains = []
  def add(d)
    @domains << d
    self
  end
end
trust.add("gmail.com").add("msn.com")
p trust.instance_variable_get(:@domains), trust.instance_variable_get(:@configuration)
r = "str".instance_eval { size }
p r
p 5.instance_eval { self + 1 }
p trust.instance_eval { |obj| obj.equal?(self) }
p Object.new.respond_to?(:add)
