# §6 Array: take drop take_while drop_while
a = [1, 2, 3, 4, 1]
p a.take(2), a.take(10), a.drop(2), a.drop(10)
p a.take_while { |x| x < 3 }, a.drop_while { |x| x < 3 }
p [].take(1), a.take(0)
p a
