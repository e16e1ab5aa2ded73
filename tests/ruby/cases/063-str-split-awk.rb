# §6 String#split: awk mode for no argument, " " and nil.
p " a  b\tc\n d ".split
p " a  b ".split(" ")
p " a  b ".split(nil)
p "".split
p "   ".split
p "a b c".split(" ", 2)
p " a b c ".split(" ", -1)
