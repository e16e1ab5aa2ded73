# §6 Hash#==, nested hashes and arrays as values.
a = { x: [1, { y: 2 }] }
b = { x: [1, { y: 2 }] }
p a == b, a.equal?(b), a.eql?(b)
b[:x][1][:y] = 3
p a == b
p({ 1 => :a } == { 1.0 => :a })
p({} == [])
