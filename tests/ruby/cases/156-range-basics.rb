# §6 Range: begin end exclude_end? first last min max size to_a
r = 1..5
e = 1...5
p r.begin, r.end, r.exclude_end?, e.exclude_end?
p r.first, r.first(2), r.last, r.last(2), e.last, e.last(2)
p r.min, r.max, e.max, (5..1).min, (5..1).max
p r.size, e.size, (5..1).size
p r.to_a, e.to_a, (3..3).to_a, (-2..1).to_a
