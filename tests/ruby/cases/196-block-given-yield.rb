# §3.3: yield with several values, block_given?, &blk parameters.
def each_pair_of(a, b)
  return :no_block unless block_given?
  yield a, b
end
p each_pair_of(1, 2) { |x, y| x + y }
p each_pair_of(1, 2)
p each_pair_of([3, 4], 5) { |x, y| [x, y] }
def capture(&blk)
  blk
end
c = capture { |x| x * 3 }
p c.call(3), c.class, capture.nil?
def forward(&blk)
  [1, 2].map(&blk)
end
p forward { |x| -x }
