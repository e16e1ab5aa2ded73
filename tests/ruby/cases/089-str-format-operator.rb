# §6 String#%: a single value or an Array of values.
p "%s" % "one"
p "%s-%s" % ["a", "b"]
p "%p" % [nil]
p "%05.2f%%" % 9.5
p "%-4s|" % :ab
p "%s" % [[1, 2]]
x = 7
p "x=%d, hex=%x" % [x, x]
