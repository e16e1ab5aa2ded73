# §6 String: downcase upcase capitalize swapcase (Unicode-aware).
p "Hello World".downcase, "Hello World".upcase
p "hELLO wORLD".capitalize, "Hello".swapcase
p "ÉCOLE".downcase, "straße".upcase, "éa".capitalize
p "123abc".capitalize
p "".upcase
s = "MiXeD"
s.downcase!
p s
