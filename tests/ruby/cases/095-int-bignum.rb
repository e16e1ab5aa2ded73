# §6 Integer: arbitrary precision.
p 2 ** 100
p 2 ** 64 - 1
f = (1..25).inject(:*)
p f
p f / 10 ** 20, f % 1_000_007
p -(2 ** 70) / 3
p (10 ** 30).to_s.size
p 12345678901234567890 * 98765432109876543210
p (2 ** 64).class
