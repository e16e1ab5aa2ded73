# §3.3: next ends the block with a value; break ends the yielding method.
r = [1, 2, 3, 4].map do |x|
  next :skip if x.even?
  x * 10
end
p r
found = [5, 8, 13].each do |x|
  break x if x > 6
end
p found
p [1, 2].each { |x| }
def yield_twice
  a = yield 1
  b = yield 2
  [a, b, :after]
end
p yield_twice { |v| next v * 100 }
p(yield_twice { |v| break :broken })
