# §6 String: slice length size bytesize empty?
s = "héllo"
p s.slice(1), s.slice(1, 2), s.slice(1..), s.slice(/l+/)
p s.length, s.size, s.bytesize
p "".empty?, " ".empty?
p "😀".length, "😀".bytesize
p "".length
p "abc".slice(5)
