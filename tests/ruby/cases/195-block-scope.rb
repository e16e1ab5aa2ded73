# §2.4: block-local variables do not leak; outer ones are shared; a
# parameter shadows an outer variable of the same name.
x = 10
[1, 2].each { |i| y = i; x += i }
p x
p defined?(y)
v = :outer
[1].each { |v| v = :inner }
p v
1.times do
  z = 5
  1.times { z += 1 }
  p z
end
p defined?(z)
