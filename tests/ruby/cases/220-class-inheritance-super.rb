# §3.4: inheritance, super with and without arguments (zsuper passes the
# current arguments), super in initialize.
class Base
  def initialize(a, b = 2)
    @a, @b = a, b
  end
  def describe(prefix = "base")
    "#{prefix}:#{@a},#{@b}"
  end
end
class Child < Base
  def initialize(a)
    super(a, 20)
  end
  def describe(prefix = "child")
    "[" + super + "|" + super() + "|" + super("x") + "]"
  end
end
p Child.new(1).describe, Child.new(1).describe("p")
p Child.new(0).is_a?(Base), Base.new(0).is_a?(Child), Child.new(0).instance_of?(Base)
p Base === Child.new(0), Child === Base.new(0, 0)
