# §6 Array: find detect find_index index rindex include?
a = [5, 8, 12, 8, 3]
p a.find { |x| x > 6 }, a.detect { |x| x > 100 }
p a.find_index(8), a.find_index { |x| x > 10 }, a.find_index(99)
p a.index(8), a.index { |x| x < 5 }, a.rindex(8), a.rindex { |x| x > 6 }
p a.include?(12), a.include?(13), [nil].include?(nil)
p ["a", "b"].index("b")
