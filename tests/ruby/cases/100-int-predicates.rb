# §6 Integer: succ pred zero? positive? negative? even? odd?
p 5.succ, 5.pred, -1.succ
p 0.zero?, 1.zero?
p 3.positive?, 0.positive?, -3.negative?, 0.negative?
p 4.even?, 4.odd?, -3.odd?, 0.even?
p (2**80).even?
p 1.0.zero?, 2.5.positive?
