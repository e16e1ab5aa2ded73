# §6 Symbol: to_s name to_sym inspect == <=> length size upcase downcase
# start_with? end_with?
s = :hello
p s.to_s, s.name, s.to_sym, s.inspect
p s == :hello, s == "hello", s.equal?(:hello)
p :a <=> :b, :b <=> :a, :a <=> :a, :a <=> "a"
p s.length, s.size, :"".size
p s.upcase, :MiX.downcase
p s.start_with?("he"), s.end_with?("lo", "x"), s.start_with?("x")
p "hello".to_sym.equal?(s)
