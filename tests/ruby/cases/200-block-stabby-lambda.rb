# §4: ->(x) { }, -> x { }, ->(x) do end, default and keyword parameters.
a = ->(x) { x + 1 }
b = -> x { x * 2 }
c = ->(x, y = 10) do
  x + y
end
d = ->(k:, opt: "o") { "#{k}-#{opt}" }
e = -> { :no_args }
p a.call(1), b.(2), c[3], c.call(3, 4), d.call(k: 1), d.(k: 2, opt: "z"), e.()
p [1, 2].map(&a)
