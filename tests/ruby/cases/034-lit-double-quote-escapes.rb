# §1: double-quote escapes.
p "\\ \" \# \n \t \r \f \v \b \a \e \s \0"
p "\101\102\60\7"
p "\x41\x4a\x7"
p "\u00e9\u00E9"
p "\u{48 49 1F600}"
p "\z\q\y"
p "line\
continued"
p "tab:\t|".size
puts "a\tb"
