# §3.6: every evaluation of a literal creates a new mutable String.
def make
  "lit"
end
a = make
b = make
a << "!"
p a, b
p a.equal?(b)
list = []
2.times { list << "x" }
list[0] << "y"
p list
s = "abc"
t = s
t << "d"
p s
