# §6 String: sub! gsub! strip! upcase! downcase! chomp! return nil when
# nothing changed.
s = "Hello"
p s.sub!(/l/, "L"), s
p s.sub!(/z/, "Z"), s
p s.gsub!(/l/i, "_"), s
p s.gsub!(/q/, ""), s
t = "  x  "
p t.strip!, t, t.strip!
u = "ABC"
p u.upcase!, u.downcase!, u, u.downcase!
v = "line\n"
p v.chomp!, v, v.chomp!
