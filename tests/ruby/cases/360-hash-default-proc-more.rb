# §6 Hash: default proc used through fetch-like idioms, nested defaults,
# default= after creation, to_a order after deletes.
tree = Hash.new { |h, k| h[k] = Hash.new(0) }
tree[:a][:x] += 1
tree[:a][:y] += 2
tree[:b][:x] += 3
p tree, tree[:a][:zzz], tree.keys
h = { b: 1, a: 2, c: 3 }
h.delete(:a)
h[:d] = 4
p h.to_a, h.first rescue p h.to_a
h.default = 0
p h[:nope], h.fetch(:b)
