# §2.3: DO_COND: `do` after a `while`/`until`/`for` condition belongs to
# the loop, not to a call in the condition.
def more?(n)
  n < 3
end

i = 0
while more? i do
  i += 1
end
p i
until i.zero? do i -= 1 end
p i
for v in [1, 2] do print v, "\n" end
