# §6 Float: nan? infinite? finite? abs, Infinity/NaN to_s.
inf = 1.0 / 0
nan = 0.0 / 0
p inf.infinite?, (-inf).infinite?, 1.0.infinite?
p inf.finite?, 1.0.finite?, nan.finite?
p nan.nan?, 1.0.nan?
p inf, -inf, nan
puts inf.to_s, nan.to_s
p -2.5.abs, 2.5.abs
p inf > 10 ** 100
