# Hash values mutated in place through each; each_with_object over a Hash.
h = { a: "x", b: "y" }
h.each_value { |v| v << "!" }
p h
keys = []
{ a: 1, b: 2 }.each_key { |k| keys.unshift(k) }
p keys
inv = {}
{ a: 1, b: 2 }.each { |k, v| inv[v] = k }
p inv
