# §6 String#split with positive, zero and negative limits.
s = "a,b,c,,"
p s.split(",", 2)
p s.split(",", 0)
p s.split(",", -1)
p s.split(",", 1)
p "a b  c".split(/ /, -1)
p ",a".split(",")
p "a,b".split(",", 10)
p "a,b,c".split(/,/, 2)
