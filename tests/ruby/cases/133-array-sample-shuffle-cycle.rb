# §6 Array: sample shuffle cycle (only deterministic properties printed).
a = [1, 2, 3, 4, 5]
p a.shuffle.sort, a.shuffle.size, [7].shuffle
p a.include?(a.sample), [9].sample, [].sample
out = []
[1, 2].cycle(2) { |x| out << x }
p out
p a
