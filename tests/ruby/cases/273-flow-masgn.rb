# §3.6: multiple assignment: pairs, swap, splat, Array right side, nil,
# extra values, and its value.
a, b = 1, 2
p [a, b]
a, b = b, a
p [a, b]
c, *d = [1, 2, 3]
p c, d
*e, f = 1, 2, 3
p e, f
g, h = [9]
p g, h
i, j = nil
p i, j
k, l = 5
p k, l
m, n = 1, 2, 3
p m, n
p((x, y = 7, 8))
