# §6 Integer: times upto downto step (block forms) and their return values.
r = 3.times { |i| print i }
puts
p r
p 2.upto(5) { |i| print i }
puts
p 5.downto(3) { |i| print i }
puts
1.step(10, 3) { |i| print i, " " }
puts
10.step(1, -4) { |i| print i, " " }
puts
p 4.times { |i| break i * 10 if i == 2 }
p 0.times { p :never }
