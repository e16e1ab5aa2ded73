# §6 Array: count size length sum min max min_by max_by
a = [3, 1, 4, 1, 5, 9, 2, 6]
p a.count, a.count(1), a.count(&:even?), a.size, a.length
p a.sum, a.sum(10), [0.5, 1.5].sum, [].sum, %w[a b].sum("")
p ([0.1] * 10).sum
p a.min, a.max, [].min, %w[pear fig apple].min, %w[pear fig apple].max
p %w[pear fig apple].min_by(&:size), %w[pear fig apple].max_by(&:size)
p a.max { |x, y| (x % 5) <=> (y % 5) }, a.sum { |x| x * 2 }
