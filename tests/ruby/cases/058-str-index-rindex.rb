# §6 String: index rindex with String, Regexp and a start position.
s = "abcabc"
p s.index("b"), s.index("b", 2), s.index("z"), s.index("")
p s.index(/c/), s.index(/c/, 3), s.index(/x/)
p s.rindex("b"), s.rindex("b", 3), s.rindex(/a/), s.rindex("z")
p s.index("c", -2)
p "héllo".index("l")
s.index(/(b)c/)
p $1
