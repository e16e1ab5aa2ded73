# §3.6: a OP= v for + - * / % ** << >> & | ^, and ||= / &&=.
a = 10
a += 5; p a
a -= 3; p a
a *= 2; p a
a /= 5; p a
a %= 3; p a
a **= 3; p a
a <<= 2; p a
a >>= 1; p a
a &= 6; p a
a |= 9; p a
a ^= 5; p a
s = "x"
s += "y"
s *= 2
p s
