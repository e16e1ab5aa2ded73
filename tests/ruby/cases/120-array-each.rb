# §6 Array: each each_with_index each_with_object each_slice
a = %w[a b c d e]
r = a.each { |x| print x }
puts
p r.equal?(a)
a.each_with_index { |x, i| print i, x }
puts
p a.each_with_object([]) { |x, acc| acc.unshift(x) }
a.each_slice(2) { |s| p s }
h = a.each_with_object({}) { |x, acc| acc[x] = x.ord }
p h
