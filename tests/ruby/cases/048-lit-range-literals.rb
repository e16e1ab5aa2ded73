# §6 Range: inclusive and exclusive ranges, string ranges, inspect.
p 1..3
p (1...3)
p ("a".."c")
r = 2..5
p r.to_a
p (1...1).to_a
p r.to_s
p ("a"..."c").to_s
x = 4
p (x..x + 2).to_a
