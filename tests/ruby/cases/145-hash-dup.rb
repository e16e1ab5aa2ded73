# §6 Hash#dup is shallow.
h = { list: [1], n: 1 }
d = h.dup
d[:n] = 2
d[:list] << 2
p h, d
p h == d
p({ a: 1, b: 2 } == { b: 2, a: 1 }, { a: 1 } == { a: 1.0 })
