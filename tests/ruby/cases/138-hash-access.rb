# §6 Hash: [] []= fetch (default, block, KeyError) dig
h = { a: 1, "b" => 2, nil => 3 }
p h[:a], h["b"], h[nil], h[:zz]
h[:c] = 4
p h
p h.fetch(:a), h.fetch(:zz, 0), h.fetch(:zz) { |k| "no #{k}" }
begin
  h.fetch(:zz)
rescue KeyError => e
  p e.class, e.message
end
n = { a: { b: { c: 42 } }, l: [10, { m: 1 }] }
p n.dig(:a, :b, :c), n.dig(:a, :x, :c), n.dig(:l, 1, :m)
