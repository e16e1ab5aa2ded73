# break/next in nested loops affect only the innermost loop.
out = []
(1..3).each do |i|
  (1..3).each do |j|
    next if j == 2
    break if j == 3 && i == 2
    out << [i, j]
  end
end
p out
res = [1, 2, 3].map { |i| [4, 5].each { |j| break j * i } }
p res
k = 0
while k < 10
  k += 1
  m = 0
  m += 1 while m < k
  break if m > 3
end
p k, m
