# §6 String#succ
p "a".succ, "az".succ, "zz".succ, "a9".succ, "Zz".succ
p "1.9".succ, "-9".succ, "".succ, "ab!".succ, "!".succ
p "Az".succ, "zZ9".succ, "a99".succ
p "a".succ.succ
s = "x"
p s.succ, s
