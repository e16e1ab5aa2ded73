# §7.3: \1..\9 backreferences; \NNN octal when not a valid backreference;
# \0 and \0NN octal escapes.
p "abab" =~ /(ab)\1/, "aa bb" =~ /(\w)\1 (\w)\2/
p "xAy" =~ /x\101y/, "a\0b" =~ /a\0b/, "a\nb" =~ /a\012b/
p "aa" =~ /(a)\1/, "ab" =~ /(a)\1/
p "q\x01" =~ /q\01/
