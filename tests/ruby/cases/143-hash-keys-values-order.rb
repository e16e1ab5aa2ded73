# §6 Hash: insertion order; keys values to_a; reassigning keeps position.
h = { z: 1, a: 2 }
h[:m] = 3
h[:z] = 9
p h.keys, h.values, h.to_a
h.delete(:a)
h[:a] = 0
p h
p h.to_h.equal?(h), h.to_h
