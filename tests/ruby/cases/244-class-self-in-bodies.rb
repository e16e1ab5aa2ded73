# §3.1: self in class bodies, methods and blocks; a class body's value is
# its last expression.
v = class Body
  SELF = self
  def who
    self.class
  end
  :last_value
end
p v, Body::SELF, Body.new.who
w = module Mod
  self
end
p w
x = [1].map { self }
p x
