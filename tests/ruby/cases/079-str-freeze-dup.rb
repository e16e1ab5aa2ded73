# §6 String: freeze frozen? dup; FrozenError on mutation.
s = "abc"
p s.frozen?
s.freeze
p s.frozen?
d = s.dup
p d.frozen?
d << "d"
p d
begin
  s << "x"
rescue FrozenError => e
  p e.class
  p e.message
end
p s.upcase.frozen?
p :sym.to_s.frozen?
