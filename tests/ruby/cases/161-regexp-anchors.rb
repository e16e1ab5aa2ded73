# §7.3: \A \z \Z ^ $ (line anchors in Ruby).
s = "first\nsecond\n"
p s =~ /^second$/, s =~ /\Asecond/, s =~ /second\z/, s =~ /second\Z/
p s =~ /first$/, s =~ /\Afirst/, s =~ /\n\z/
p "abc\n" =~ /c\Z/, "abc\n" =~ /c\z/, "abc" =~ /c\Z/
p "a\nb".scan(/^\w/), "a\nb".scan(/\w$/)
p "x\n\n" =~ /\n\Z/
p("ab" =~ /\Aab\z/)
