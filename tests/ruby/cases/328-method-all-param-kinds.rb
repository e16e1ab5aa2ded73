# §3.3: every parameter kind in one signature.
def all(a, b = :b, *rest, c, k:, o: :o, **kw, &blk)
  [a, b, rest, c, k, o, kw, blk&.call]
end
p all(1, 2, k: 3)
p all(1, 2, 3, k: 3)
p all(1, 2, 3, 4, 5, k: :K, o: :O, x: :X) { :blk }
begin
  all(1, k: 1)
rescue ArgumentError => e
  p e.class
end
def only_kw(**opts)
  opts
end
p only_kw, only_kw(a: 1)
