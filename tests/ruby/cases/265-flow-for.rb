# §4: for x in y (the variable stays visible afterwards), for over pairs.
for i in 1..3
  print i
end
puts
p i
for a, b in [[1, 2], [3, 4]]
  print a + b, " "
end
puts
for k, v in { x: 1 }
  p [k, v]
end
for w in [] do end
p w
