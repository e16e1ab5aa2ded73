# §1: a line starting with `.meth` or `&.meth` continues the previous
# expression, also after a comment line.
r = [3, 1, 2]
  .sort
  .map { |x| x * 10 }
p r
s = "  Hello  "
  # a comment between
  .strip
  .downcase
p s
n = nil
v = n
  &.length
p v
w = "abc"
  &.upcase
p w
