# §3.6: h[k] ||= v and h[k] += v evaluate receiver and key once.
calls = []
h = {}
key = -> { calls << :key; :k }
(calls << :recv; h)[key.call] ||= []
(calls << :recv; h)[key.call] ||= [:never]
h[:k] << 1
p h, calls
counts = Hash.new(0)
%w[a b a].each { |w| counts[w] += 1 }
p counts
cache = {}
p (cache["1.2.3.4"] ||= "resolved"), (cache["1.2.3.4"] ||= "again")
