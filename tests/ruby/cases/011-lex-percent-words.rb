# §1: %w[] and %i[] word arrays, other delimiters, escaped space.
p %w[a b c]
p %w(x  y
  z)
p %w{one two}
p %w<lt gt>
p %w|p1 p2|
p %w[a\ b c]
p %w[]
p %i[alpha beta]
p %i(x y)
