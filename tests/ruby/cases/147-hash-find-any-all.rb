# §6 Hash: find any? all? count
h = { a: 1, b: 2, c: 3 }
p h.find { |k, v| v > 1 }, h.find { |k, v| v > 5 }
p h.any? { |k, v| v == 2 }, h.all? { |k, v| v > 0 }, {}.any?, h.any?
p h.count, h.count { |k, v| v.odd? }
