# §6 Comparable for String: between? clamp
p "b".between?("a", "c"), "d".between?("a", "c"), "a".between?("a", "a")
p "m".clamp("a", "f"), "b".clamp("c", "f"), "d".clamp("c", "f")
p 5.between?(1, 10), 5.clamp(6, 8), 5.clamp(1, 3), 2.5.clamp(1, 2)
p 1.5.between?(1, 2)
