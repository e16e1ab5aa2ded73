# §6 Array: sort (with block) sort_by reverse; incomparable elements.
p [3, 1, 2].sort, %w[b C a].sort, [3, 1, 2].sort { |a, b| b <=> a }
p %w[ccc a bb].sort_by(&:size), [[2, :b], [1, :a]].sort, [0.5, -1, 2].sort
p [1, 2, 3].reverse
p [[1, "b"], [1, "a"]].sort_by { |n, s| [n, s] }
begin
  ["a", 1].sort
rescue ArgumentError => e
  p e.message
end
