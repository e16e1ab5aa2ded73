# §6 Hash: delete clear
h = { a: 1, b: 2, c: 3 }
p h.delete(:b), h, h.delete(:zz)
p h.clear, h
g = { x: 1 }
g.delete(:x)
g[:x] = 2
g[:y] = 3
p g
