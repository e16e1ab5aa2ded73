# §2.2: `?` and `:` of the ternary operator, nested (right associative),
# after a predicate method and with symbol operands.
x = 5
p x > 3 ? "big" : "small"
p x > 9 ? "huge" : x > 3 ? "big" : "small"
list = []
p list.empty? ? :empty : :full
p list.empty?? 1 : 2
flag = nil
r = flag ? :a : :b
p r
p(x == 5 ? [1, 2] : { k: 1 })
p x.odd? ?  "odd" : "even"
