# §6 String#scan: without groups, with groups, with a block; sets $~.
s = "a1 b22 c333"
p s.scan(/\d+/)
p s.scan(/([a-z])(\d+)/)
p s.scan(/x/)
p s.scan("b2")
r = []
s.scan(/([a-z])\d/) { |m| r << m }
p r
s.scan(/\d+/) { |d| print d.size }
puts
p $~[0]
