# §4: ternary operator values and nesting.
def sign(n)
  n > 0 ? 1 : n < 0 ? -1 : 0
end
p [-5, 0, 5].map { |n| sign(n) }
a = true ? (false ? 1 : 2) : 3
p a
s = [].empty? ? "empty" : "full"
p s
p(nil ? 1 : false ? 2 : 3)
