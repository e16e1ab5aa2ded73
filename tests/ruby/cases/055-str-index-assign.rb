# §6 String#[]= with index, range, start/length, string and regexp.
s = "hello"
s[0] = "J"
p s
s[-1] = "y!"
p s
s[1..2] = "EE"
p s
s[0, 1] = ""
p s
s["y"] = "Y"
p s
t = "a1b2"
t[/\d/] = "#"
p t
p(t[0] = "z")
p t
