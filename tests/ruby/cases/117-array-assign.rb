# §6 Array#[]= with index, growth, start/length and range.
a = [1, 2, 3]
a[5] = 6
p a
a[0, 2] = [:x]
p a
a[1..2] = []
p a
a[-1] = :last
p a
b = [1, 2, 3, 4]
b[1, 0] = [9, 9]
p b
p(b[0] = 5)
