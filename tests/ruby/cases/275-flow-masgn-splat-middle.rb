# §3.6: splat in the middle of a multiple assignment, and ivars/globals as
# targets.
a, *b, c = 1, 2, 3, 4, 5
p a, b, c
x, *y = "only"
p x, y
@p, @q = :ip, :iq
$g1, $g2 = 1
p @p, @q, $g1, $g2
h, = [10, 20]
p h
