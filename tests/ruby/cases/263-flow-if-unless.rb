# §4: if/elsif/else, unless/else, modifiers, and their values (nil when no
# branch runs).
def classify(n)
  if n < 0
    :negative
  elsif n == 0
    :zero
  else
    :positive
  end
end
p [-1, 0, 1].map { |n| classify(n) }
x = if false then 1 end
p x
y = unless true then 2 else 3 end
p y
p(:mod) if true
p(:never) unless true
z = 5 if false
p z
v = (:a if 1 > 2)
p v
