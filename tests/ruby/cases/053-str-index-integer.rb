# §6 String#[] with Integer, negative, start/length, out of range.
s = "hello"
p s[0], s[1], s[-1], s[-5]
p s[5], s[10], s[-6]
p s[1, 3], s[-3, 2], s[4, 10]
p s[5, 1], s[6, 1], s[0, 0]
p s[1, -1]
p "héllo"[1]
