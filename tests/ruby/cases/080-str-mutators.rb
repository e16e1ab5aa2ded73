# §6 String: << concat replace clear
s = +"a"
s << "b" << "c"
p s
s.concat("d", "e")
p s
p s.replace("new"), s
p s.clear, s, s.empty?
t = "x"
u = t
u << 65.chr
p t
n = "n"
n << 33
p n
