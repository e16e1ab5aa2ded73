# §6 Hash: sort_by min_by max_by group_by sum
h = { "b" => 3, "a" => 1, "c" => 2 }
p h.sort_by { |k, v| v }, h.sort_by { |k, v| k }.to_h
p h.min_by { |k, v| v }, h.max_by { |_, v| v }
p h.group_by { |k, v| v.odd? }
p h.sum { |k, v| v }
p h.to_a.sort
