# Block return values drive map/select/sort_by; the value of a do-block is
# its last expression.
result = %w[pear fig apple].map do |w|
  if w.size > 3
    w.upcase
  else
    w
  end
end
p result
p [3, 1, 2].sort_by { |x| -x }
p (1..3).map { |x| [x, x.to_s * x] }.to_h
p [[1, 2], [3, 4]].map { |a, b| a * b }
