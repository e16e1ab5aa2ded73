# §3.6, §6: Array equality, nested access and mutation through references.
row = [0, 0]
grid = [row, row]
grid[0][0] = 1
p grid
fresh = Array.new(2) { [0, 0] }
fresh[0][0] = 1
p fresh
p [[1, 2], [3]] == [[1, 2], [3]]
p [1, 2].eql?([1, 2]), [1, 2].equal?([1, 2])
copy = grid.dup
copy << :x
p grid.size, copy.size
