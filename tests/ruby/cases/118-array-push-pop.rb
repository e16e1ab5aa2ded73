# §6 Array: push << append pop shift unshift prepend insert
a = [1]
p a.push(2, 3), a << 4, a.append(5)
p a.pop, a.pop(2), a
p a.shift, a, [].shift, [].pop
p a.unshift(0), a.prepend(-1, -2)
p a.insert(1, :i), a.insert(-2, :j), a.insert(10, :k)
x = [1, 2, 3]
p x.shift(2), x
