# §6 String: each_char chars bytes
p "héllo".chars
out = []
"abc".each_char { |c| out << c.upcase }
p out
p "aé".bytes
p "".chars, "".bytes
p "😀".chars.size
