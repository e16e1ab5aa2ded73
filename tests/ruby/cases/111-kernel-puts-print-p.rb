# §6 Kernel: puts flattens Arrays and adds "\n" unless present; print; p
# returns its argument.
puts "a", "b\n", nil, [1, [2, [nil, 3]]], []
puts
puts 1.5, :sym
print "x", "y", 1, nil, "\n"
r = p(1, 2)
p r
r = p
p r
r = p "one"
p r
