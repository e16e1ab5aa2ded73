# §6 Array: delete delete_at delete_if clear dup
a = [1, 2, 3, 2, 1]
p a.delete(2), a, a.delete(9)
p a.delete_at(0), a, a.delete_at(10)
b = [1, 2, 3, 4, 5]
p b.delete_if(&:even?), b
c = b.dup
c << 9
p b, c
p c.clear, c
