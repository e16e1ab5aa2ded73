# §6 Float: to_i truncate floor ceil round (half away from zero).
p 3.7.to_i, -3.7.to_i, 3.7.truncate, -3.7.truncate
p 3.2.floor, -3.2.floor, 3.2.ceil, -3.2.ceil
p 2.5.round, -2.5.round, 3.5.round, 0.5.round, 1.5.round, -0.5.round
p 3.14159.round(2), 3.14159.round(0), 1234.5.round(-2), 1250.0.round(-2)
p 2.4.round.class, 2.4.round(1).class
p 1e20.to_i
p 0.1.round(3)
