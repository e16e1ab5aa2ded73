# §7.1: Range inspect/to_s.
p 1..3, 1...3, "a".."c", (1.5..2)
puts (1..3).to_s, ("a".."c").to_s, ("a"..."c").inspect
p [1..2, 3...4]
p({ r: 0..1 })
puts "#{(1..2)}"
x = 3
p (x..x + 1), (x - 1)...x
