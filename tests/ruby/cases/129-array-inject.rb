# §6 Array: inject reduce with symbol, initial value, block.
a = [1, 2, 3, 4]
p a.inject(:+), a.reduce(:*), a.inject(10) { |s, x| s + x }
p a.inject { |s, x| s * x }, a.reduce(1, :+)
p [].inject(:+), [].inject(0, :+)
p %w[a b c].inject { |s, x| s + x }
p [[1, 2], [3, 4]].inject(0) { |s, pair| s + pair[0] * pair[1] }
