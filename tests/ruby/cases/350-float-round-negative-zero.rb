# §6 Float#round half away from zero, results near zero are Integer 0 (no
# negative zero for Integers); Array#sum of Floats is compensated like Ruby's.
p (-0.4).round, (-0.5).round, (0.5).round, (-1.5).round, 0.49999999999999994.round
p (-0.4).to_i, (-0.4).ceil, (-0.0).round, -0.0.to_i
p (-0.04).round(1), (0.05).round(1), (-1.25).round(1)
p [0.1, 0.2, 0.3].sum, [0.1, 0.2, 0.3].inject(:+), [1, 0.1, 0.2].sum
p [3, 0.1, 0.2, 0.3].sum, [1e100, 1.0, -1e100].sum
