# §3.6: user objects as Hash keys by identity unless eql?/hash are defined.
class Plain
  def initialize(v); @v = v; end
end
class Keyed
  attr_reader :v
  def initialize(v); @v = v; end
  def eql?(o); o.is_a?(Keyed) && v == o.v; end
  def hash; v.hash; end
  def ==(o); eql?(o); end
end
h = { Plain.new(1) => :a, Keyed.new(1) => :b }
p h[Plain.new(1)], h[Keyed.new(1)]
p [Keyed.new(2), Keyed.new(2)].uniq.size, [Plain.new(2), Plain.new(2)].uniq.size
p Keyed.new(3) == Keyed.new(3), Plain.new(3) == Plain.new(3)
