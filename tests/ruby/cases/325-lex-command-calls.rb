# §2.3: command calls without parentheses, nested and with receivers.
def join_all(*a)
  a.join("+")
end
puts join_all 1, 2, 3
p join_all "a", join_all("b", "c")
puts [1, 2].map { |x| x * 2 }.inspect
s = "abc"
p s.center 7, "*"
p s.sub "b", "B"
p s.start_with? "a"
v = join_all 4, 5
p v
puts "x" if join_all 1
