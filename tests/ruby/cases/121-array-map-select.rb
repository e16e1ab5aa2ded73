# §6 Array: map collect map! flat_map select filter reject filter_map
a = [1, 2, 3, 4]
p a.map { |x| x * 2 }, a.collect(&:to_s)
b = a.dup
p b.map! { |x| x + 1 }, b
p [[1, 2], [3]].flat_map { |x| x }, [1, 2].flat_map { |x| [x, x] }
p a.select(&:even?), a.filter { |x| x > 2 }, a.reject(&:even?)
p a.filter_map { |x| x * 3 if x.odd? }
p a
