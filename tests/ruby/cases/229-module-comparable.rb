# §6 Comparable included in a user class via <=>.
class Version
  include Comparable
  attr_reader :parts
  def initialize(s)
    @parts = s.split(".").map(&:to_i)
  end
  def <=>(other)
    parts <=> other.parts
  end
  def to_s
    parts.join(".")
  end
end
a, b, c = Version.new("1.2.0"), Version.new("1.10"), Version.new("1.2")
p a < b, a == c, a > c, b.between?(a, b)
puts [b, a, c].sort.map(&:to_s).join(" ")
puts [a, b].max, a.clamp(b, b)
