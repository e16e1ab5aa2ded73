# §6 String: delete squeeze count with character sets.
p "hello".delete("l"), "hello".delete("a-k"), "hello".delete("^l")
p "aaabbbccc".squeeze, "aaabbbccc".squeeze("a"), "mississippi".squeeze("sp")
p "hello world".count("lo"), "hello".count("a-z"), "hello".count("^l")
p "hello".count("lo", "o")
p "".squeeze
