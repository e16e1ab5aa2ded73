# §2.7: block parameters are delimited by `|`; `|` and `||` inside the
# body are operators.
p [1, 2, 4].map { |a| a | 1 }
p [[1, 2]].map { |a, b| a | b }
p [nil, 3].map { |x| x || 0 }
p(proc { || :empty_params }.call)
p [1].map { |x, | x }
p [[3, 4]].each_with_object([]) { |pair, acc| acc << (pair[0] | pair[1]) }
f = ->(a) { a || :default }
p f.(nil)
p [1, 2].inject { |s, x| s | x << 2 }
