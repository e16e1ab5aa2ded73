# §3.5: modifier rescue; `x = expr rescue v`.
v = Integer("abc") rescue -1
p v
w = (raise "x" rescue :rescued)
p w
def risky
  raise ArgumentError
end
r = risky rescue $!.class
p r
p [1, 2].fetch(10) rescue p :fetch_failed
