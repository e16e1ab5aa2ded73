# §1: float literals; a digit must follow `.` (so `1.abs` is a method call).
p 1.5
p 1e3
p 1E3
p 1.5e-3
p 1.0e+15
p 2.5e2
p 1_000.5
p(-0.25)
p 1.abs
p 3.14.floor
p 1e-2.class
