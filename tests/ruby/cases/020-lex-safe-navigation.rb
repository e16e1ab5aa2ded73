# §4: safe navigation `a&.b` returns nil when a is nil (arguments are not
# evaluated then).
s = "abc"
n = nil
p s&.upcase
p n&.upcase
p n&.foo(raise("never"))
p s&.length&.succ
h = { a: { b: 1 } }
p h[:a]&.fetch(:b)
p h[:z]&.fetch(:b)
x = nil
x&.concat("y")
p x
