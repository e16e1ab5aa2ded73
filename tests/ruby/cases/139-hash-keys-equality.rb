# §3.6: Hash keys use eql?/hash: 1 and 1.0 differ, Strings by content,
# Arrays element-wise; an unfrozen String key is stored as a frozen copy.
h = {}
h[1] = :int
h[1.0] = :float
h["s"] = :str
h[[1, 2]] = :arr
p h
p h[1], h[1.0], h["s"], h[[1, 2]], h[:s]
k = "key"
h2 = { k => 1 }
k << "!"
p h2, h2["key"], h2.keys[0].frozen?, k.frozen?
