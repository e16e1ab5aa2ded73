# §6 Array: group_by partition tally
a = %w[apple avocado banana blueberry cherry]
p a.group_by { |w| w[0] }
p a.partition { |w| w.size > 6 }
p [1, 2, 1, 3, 1].tally, %w[x y x].tally
p (1..6).to_a.group_by(&:odd?)
