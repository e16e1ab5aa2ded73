# §6 String: to_s to_str to_sym inspect
s = "abc"
p s.to_s, s.to_s.equal?(s)
p s.to_str
p s.to_sym, "with space".to_sym, "".to_sym
p s.inspect
p "a\"b".inspect.size
p :abc.to_s == s
