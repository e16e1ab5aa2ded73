# §6 String#sub with String and Regexp patterns; String patterns are literal.
s = "a.b.c"
p s.sub(".", "-")
p s.sub(/\./, "-")
p s.sub("x", "-")
p "hello".sub(/l/) { |m| m.upcase }
p "john smith".sub(/(\w+) (\w+)/, '\2, \1')
p "price: 10".sub(/\d+/) { |d| (d.to_i * 2).to_s }
p "aaa".sub("a") { "b" }
p "a+b".sub("+", "plus")
p s
