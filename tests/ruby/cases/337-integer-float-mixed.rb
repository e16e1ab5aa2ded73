# Mixed Integer/Float arithmetic results and types.
p 1 + 1.0, 3 * 0.5, 7 - 0.5, 2 ** 0.5 * 2 ** 0.5
p (1 + 1.0).class, (2 * 3).class, (6 / 3.0).class
p 10.0.to_i.class, 10.7.round.class, 10.5.floor.class
p [1, 2.0, 3].sum, [1, 2, 3].sum / [1, 2, 3].size, [1, 2, 3].sum.fdiv(3)
p 0.1 + 0.2 == 0.3, (0.1 + 0.2 - 0.3).abs < 1e-9
p 3.0 * 2 == 6, 6.0.eql?(6)
