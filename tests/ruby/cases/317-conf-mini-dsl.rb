# A tiny define_milter-style DSL in plain Ruby: block with a yielded
# configurator, setters, `milter.applicable_conditions += [...]`, and a
# `policy`-like Proc used with ===.
class Egg
  attr_accessor :name, :description, :connection_spec, :enabled, :applicable_conditions
  def initialize(name)
    @name = name
    @enabled = true
    @applicable_conditions = []
  end
end
@eggs = {}
def define_milter(name)
  egg = (@eggs[name] ||= Egg.new(name))
  yield(egg) if block_given?
  egg
end
define_milter("milter@10026") do |milter|
  milter.description = "a milter working at inet:10026@localhost"
  milter.connection_spec = "inet:10026@localhost"
  milter.applicable_conditions += ["S25R"]
end
define_milter "milter@10026" do |milter|
  milter.applicable_conditions += ["Trust"]
  milter.enabled = false
end
define_milter("other")
@eggs.each_value do |e|
  p [e.name, e.description, e.connection_spec, e.enabled, e.applicable_conditions]
end
