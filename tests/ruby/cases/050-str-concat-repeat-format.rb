# §6 String: + * % ==
p "ab" + "cd"
p "ab" * 3
p "-" * 0
p "%05.1f|%s" % [3.14159, :x]
p "%d%%" % 50
p "abc" == "abc", "abc" == "abd", "a" == :a
s = "x"
t = s + "y"
p s, t
p "%s and %p" % ["str", "str"]
