# §6 String: chomp chomp(arg) chop
p "a\n".chomp, "a\r\n".chomp, "a\r".chomp, "a\n\n".chomp, "a".chomp
p "hello".chomp("lo"), "hello".chomp("x"), "a\n".chomp("")
p "ab".chop, "a\r\n".chop, "".chop, "a\n".chop
s = "keep"
s.chomp
p s
