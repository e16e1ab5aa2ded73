# §1: %w does not interpolate; =begin with trailing text; trailing commas in
# calls; p with a splat of nothing; unary minus on a local as an argument.
x = 3
p %w[#{x} a\tb]
p %i[]
=begin trailing text is allowed here
p :hidden
=end
def f(a, b)
  [a, b]
end
p f(1, 2,)
r = p(*[])
p r
p -x
p(-x.abs)
y = [
  1,
  2
].sum
p y
