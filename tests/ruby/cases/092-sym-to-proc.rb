# §6 Symbol#to_proc and `&:sym` block passing.
p %w[a b].map(&:upcase)
p [1, 2, 3].select(&:odd?)
up = :upcase.to_proc
p up.call("x")
p [[1, 2], [3]].map(&:size)
p [1, 2, 3].inject(&:+)
p %w[b a c].sort_by(&:ord)
p :length.to_proc.call("four")
