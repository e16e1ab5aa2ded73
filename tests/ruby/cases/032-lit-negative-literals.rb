# §1, §2.7: a `-` before a digit in operand position is part of the literal;
# `-2 ** 2` is `-(2 ** 2)`.
p(-5)
p(-5.abs)
p(-2 ** 2)
p((-2) ** 2)
p 2 ** 3 ** 2
x = 3
p(-x ** 2)
p [-1, -2.5, - 3]
p(1 -1)
p(4 - -1)
