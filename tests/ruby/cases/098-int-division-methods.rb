# §6 Integer: abs divmod fdiv div modulo remainder pow
p -5.abs, 5.abs
p 7.divmod(2), -7.divmod(2), 7.divmod(-2), 7.divmod(2.0)
p 7.fdiv(2), 1.fdiv(3), 6.fdiv(3)
p 7.div(2), -7.div(2), 7.div(2.0)
p 7.modulo(3), -7.modulo(3)
p 7.remainder(3), -7.remainder(3), 7.remainder(-3)
p 2.pow(10), 3.pow(5, 7), 2.pow(100, 1000)
