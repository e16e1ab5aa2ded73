# §2.2: `(` after a method name with a space is a parenthesised first
# argument; without a space it is the call's argument list.
def show(*a)
  p a
  a.size
end
r = show (1 + 2) * 3
p r
r = show(1 + 2) * 3
p r
show (1), 2
x = [4, 5]
p x.first (1) rescue p :err
p (1..3).to_a
