# String mutation through []= and <<, seen through another reference.
a = "hello"
b = a
b[0, 2] = "J"
a << "!"
p a, b, a.equal?(b)
c = a.dup
c[-1] = "?"
p a, c
d = "x" * 3
d[1] = "yy"
p d, d.size
