# §6 Integer: round floor ceil truncate with negative digits.
p 15.round(-1), 25.round(-1), -25.round(-1), 14.round(-1)
p 1234.floor(-2), -1234.floor(-2), 1234.ceil(-2), -1234.ceil(-2)
p 1234.truncate(-2), -1234.truncate(-2)
p 5.round, 5.floor, 5.ceil, 5.truncate
p 99.round(-2), 149.round(-2), 150.round(-2)
p 5.round(1)
