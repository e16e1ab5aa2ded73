# §6 Hash: new, new(default), new { |h, k| }, default, default=
h = Hash.new
p h[:x], h.default
d = Hash.new(0)
"hello".each_char { |c| d[c] += 1 }
p d, d[:missing], d.default
lists = Hash.new { |hash, key| hash[key] = [] }
lists[:a] << 1
lists[:a] << 2
lists[:b] << 3
p lists
g = {}
g.default = :none
p g[:q], g.key?(:q)
