# §6 Array: uniq (with block) compact flatten (with depth) zip
p [1, 2, 1, 3, 2].uniq, %w[a A b].uniq(&:downcase), [1, 1.0, "1"].uniq
p [1, nil, 2, nil].compact, [nil].compact
p [1, [2, [3, [4]]]].flatten, [1, [2, [3, [4]]]].flatten(1)
p [1, 2].zip([3, 4], [5]), [1].zip
a = [[1, 2], 3]
p a.flatten, a
