# §1: a method name may end in `?`/`!`; `!=`, `&&` and `?` right after it.
a = []
p a.nil?!=true
p a.empty?&&:yes
p a.empty?? 1 : 2
s = "x"
r = s.upcase!
p r, s
h = { a: 1 }
v = h.key?(:a)
p v
p "ab".include?("b")&&true
p s.frozen?||:no
