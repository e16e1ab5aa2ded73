# Float#to_s near 1e15/1e16 (Ruby 3.1 flo_to_s): exponent form once the
# decimal point is 16 places in, unless the shortest digits reach past it.
p 1e14
p 1e15
p 1.5e15
p 1111111111111111.0
p 1234567890123456.8
p 9999999999999998.0
p 1e15 + 1
