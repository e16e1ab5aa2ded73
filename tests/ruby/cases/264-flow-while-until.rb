# §4: while/until loops, modifiers, break with value, next; while is nil.
i = 0
r = while i < 3
  i += 1
end
p r, i
j = 10
j -= 3 until j < 0
p j
k = 0
k += 1 while k < 5
p k
found = while true
  k += 1
  next if k.odd?
  break k if k > 8
end
p found
