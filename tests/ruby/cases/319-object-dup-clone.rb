# §6 Object: dup drops singleton methods and frozen state; clone keeps both.
s = "base"
def s.extra
  :extra
end
s.freeze
d = s.dup
c = s.clone
p d.frozen?, c.frozen?
p d.respond_to?(:extra), c.respond_to?(:extra), c.extra
a = [1, [2]]
b = a.dup
b[1] << 3
b << 4
p a, b
