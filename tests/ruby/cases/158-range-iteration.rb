# §6 Range: each map select step, String ranges.
r = (1..4)
p r.each { |i| print i }
puts
p r.map { |i| i * i }, r.select(&:even?)
(0..10).step(4) { |i| print i, " " }
puts
(1...7).step(3) { |i| print i, " " }
puts
p ("a".."e").to_a, ("aa".."ad").to_a, ("y".."ab").to_a
("A".."C").each { |c| print c }
puts
