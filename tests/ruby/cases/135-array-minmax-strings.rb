# §6 Array: min/max of Strings and mixed numbers; min_by/max_by ties.
p %w[b a c].min, %w[b a c].max, [2, 1.5, 3].max, [2, 1.5, -3].min
p %w[aa b cc d].min_by(&:size), %w[aa b cc d].max_by(&:size)
p [].max, [].min_by { |x| x }
p [[1, :b], [1, :a], [0, :z]].min
