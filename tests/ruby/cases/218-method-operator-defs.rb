# Operator methods defined by user classes: + - * == <=> [] []= -@ +@ ! call
class Vec
  attr_reader :x, :y
  def initialize(x, y)
    @x, @y = x, y
  end
  def +(o)
    Vec.new(x + o.x, y + o.y)
  end
  def -@
    Vec.new(-x, -y)
  end
  def ==(o)
    o.is_a?(Vec) && x == o.x && y == o.y
  end
  def [](i)
    i.zero? ? x : y
  end
  def to_s
    "(#{x}, #{y})"
  end
end
a = Vec.new(1, 2)
puts a + Vec.new(3, 4), -a
p a == Vec.new(1, 2), a != Vec.new(0, 0), a[0], a[1]
