# §7.3: atomic groups and possessive quantifiers.
p "aaa" =~ /(?>a+)a/, "aaab" =~ /(?>a+)b/
p "aaa" =~ /a++a/, "aaa" =~ /a*+/, "ab" =~ /a?+b/
p "foobar" =~ /(?>foo|foob)ar/
p "xxy"[/x++y/]
