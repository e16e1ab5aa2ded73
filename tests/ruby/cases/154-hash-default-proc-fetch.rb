# §6 Hash: default value is not stored; default block may store; fetch
# ignores the default.
h = Hash.new(:d)
p h[:a], h, h.fetch(:a, :f)
s = Hash.new { |hash, k| k.to_s * 2 }
p s[:ab], s
begin
  s.fetch(:ab)
rescue KeyError => e
  p e.class
end
p Hash.new(5).size
