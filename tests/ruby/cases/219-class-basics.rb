# §3.4: class with initialize, attr_accessor/reader/writer, instance vars.
class Milter
  attr_accessor :name, :enabled
  attr_reader :spec
  attr_writer :secret
  def initialize(name, spec = nil)
    @name = name
    @spec = spec
    @enabled = true
  end
  def peek
    @secret
  end
end
m = Milter.new("clamav", "inet:3310")
m.enabled = false
m.secret = 42
p m.name, m.spec, m.enabled, m.peek
m.name += "-milter"
p m.name
p m.respond_to?(:spec=), m.respond_to?(:secret), m.respond_to?(:secret=)
