# §6 Kernel: rand (only range properties are deterministic), sleep.
p (1..200).all? { r = rand(10); r >= 0 && r < 10 && r.is_a?(Integer) }
p (1..200).all? { f = rand; f >= 0.0 && f < 1.0 }
p rand(1)
p (1..50).all? { (3..5).include?(rand(3..5)) }
p sleep(0)
p sleep(0.01).class
