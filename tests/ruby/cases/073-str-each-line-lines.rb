# §6 String: each_line lines (lines keep their separator).
s = "one\ntwo\n\nthree"
p s.lines
s.each_line { |l| p l }
p "".lines
p "a\r\nb".lines
p "a\nb\n".lines.map(&:chomp)
r = s.each_line { }
p r.equal?(s)
