# §6 Kernel#loop: ends on break (with its value) or StopIteration.
i = 0
r = loop do
  i += 1
  next if i.odd?
  break i * 100 if i > 5
end
p r, i
n = 0
loop do
  n += 1
  raise StopIteration if n == 3
end
p n
