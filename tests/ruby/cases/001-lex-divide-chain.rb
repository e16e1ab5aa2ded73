# ruby-subset.md §2.2: `/` after a local variable (END state) is division,
# with or without spaces around it.
a = 100
b = 5
c = 2
p a / b / c
p a/b/c
p a /b/ c
x = 8
p x /2/ 1
p(a / b)
q = a / 4 / 5
p q
