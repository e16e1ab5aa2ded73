# §2.7: operator precedence tiers.
p 1 + 2 * 3 ** 2, (1 + 2) * 3, 2 ** 3 ** 2, -2 ** 2, 10 - 2 - 3, 100 / 10 / 5
p 1 << 2 + 1, 6 & 3 | 8, 5 ^ 1 & 3, 1 | 2 ^ 3
p 1 < 2 == true, !true == false, (not true == false)
p 1 + 2 == 3 && 2 * 2 == 4, nil || 1 && 2, (false or true and nil)
p 5 > 3 ? 1 + 1 : 2 + 2
p (1..2) == (1..2), (1..1 + 1).to_a
a = b = 3 + 4
p a, b
p 7 % 3 * 2, 2 * 7 % 3, -7.abs, - 7.abs
