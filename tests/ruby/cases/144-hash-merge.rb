# §6 Hash: merge merge! update (also with a block for conflicts).
a = { x: 1, y: 2 }
b = { y: 20, z: 30 }
p a.merge(b), a
p a.merge(b) { |key, old, new| old + new }
p a.merge!(b), a
p a.update(w: 0), a
c = { k: 1 }
p c.merge({ k: 2 }, { k: 3 }), c.merge
