# §1: `;` separates statements, including one-line class bodies.
a = 1; b = 2; p a + b
class Box; def v; 42; end; end
p Box.new.v
def one; 1; end; p one
if a == 1 then p :then_form end
klass = class << "x"; self; end
p klass.is_a?(Class)
p((1; 2))
