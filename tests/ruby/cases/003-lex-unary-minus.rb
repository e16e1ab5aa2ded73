# §2.2: `x -1` after a local is subtraction; `foo -1` after a method name
# is a negative argument; `foo - 1` is subtraction.
def foo(n = 10)
  n
end

x = 5
p x -1
p x - 1
p x-1
p foo -1
p foo - 1
p foo(-1)
p(-2.abs)
p(- 2.abs)
p(-x)
