# §6 Hash: invert transform_values transform_keys to_h with block
h = { a: 1, b: 2 }
p h.invert, h.transform_values { |v| v * 10 }, h.transform_keys(&:to_s)
p h.to_h { |k, v| [v, k] }
p({ a: 1, b: 1 }.invert)
p h
