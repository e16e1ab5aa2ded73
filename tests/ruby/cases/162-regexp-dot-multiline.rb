# §7.3: `.` does not match "\n" unless /m; /m does not change ^ and $.
s = "a\nb"
p s =~ /a.b/, s =~ /a.b/m
p s.scan(/./), s.scan(/./m)
p s =~ /a$/m, s =~ /^b/m
p "x\ny" =~ /(?m:x.y)/, "x\ny" =~ /x(?m).y/
p s[/.+/], s[/.+/m]
p "aB\nc" =~ /a(?mi-x)b.c/, "AB\nc" =~ /a(?mi-x)b.c/
