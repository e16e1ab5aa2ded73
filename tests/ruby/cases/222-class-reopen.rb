# §3.4: reopening a class (including a built-in one) adds methods.
class String
  def shout
    upcase + "!"
  end
end
p "hi".shout
class Integer
  def double
    self * 2
  end
end
p 21.double
class Foo
  def a; :a; end
end
class Foo
  def b; :b; end
end
p Foo.new.a, Foo.new.b
