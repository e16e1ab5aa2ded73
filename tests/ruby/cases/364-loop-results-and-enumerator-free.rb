# Values of loops and iterators: each returns its receiver, times returns the
# count, loop returns the break value, upto returns the start.
a = [1, 2]
p a.each { }, a.each_with_index { }, (1..3).each { }
p 3.times { }, 1.upto(2) { }, 3.downto(1) { }
p({ k: 1 }.each { }, "ab".each_char { })
p(loop { break })
p a.each_slice(1) { }, a.each_with_object([]) { }
