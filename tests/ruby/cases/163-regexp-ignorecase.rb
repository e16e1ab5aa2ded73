# §7.3: /i, (?i), (?-i), (?i:...) and (?i) applying to the rest of the
# enclosing group including later alternatives (`a(?i)b|c` is `a(?i:b|c)`).
p "HELLO" =~ /hello/i, "HELLO" =~ /hello/
p "aB" =~ /a(?i)b/, "AB" =~ /a(?i)b/
p "aC" =~ /a(?i)b|c/, "c" =~ /a(?i)b|c/, "xaC" =~ /x(?:a(?i)b|c)/
p "Bc" =~ /(?:(?i)a|b)c/, "AC" =~ /(?:(?i)a|b)c/
p "AbC" =~ /a(?i:b)c/i, "ABC" =~ /a(?-i:b)c/i, "AbC" =~ /a(?-i:b)c/i
p "ÉCOLE" =~ /école/i
p "Xy" =~ /x(?i)Y/i, "XY" =~ /x(?-i)y/i
