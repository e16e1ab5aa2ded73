# §3.3: proc semantics: missing args are nil, extra dropped, a single Array
# argument is splatted when the block takes more than one parameter.
pr = proc { |a, b| [a, b] }
p pr.call(1), pr.call(1, 2, 3), pr.call([4, 5]), pr.call([6])
one = proc { |a| a }
p one.call([1, 2]), one.call(1, 2)
trailing = proc { |a, | a }
p trailing.call([7, 8])
three = proc { |a, b, c| [a, b, c] }
p three.call(["name", ["cond"]])
splat = proc { |*a| a }
p splat.call([1, 2]), splat.call(1, 2)
