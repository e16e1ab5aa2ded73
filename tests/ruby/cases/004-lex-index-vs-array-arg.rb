# §2.2: `x [1]` after a local indexes; `foo [1]` passes an array literal.
def foo(arg = :none)
  arg
end

x = [5, 6, 7]
p x [1]
p x[1]
p foo [1]
p foo([1, 2])
p foo
y = { a: [10, 20] }
p y[:a] [0]
