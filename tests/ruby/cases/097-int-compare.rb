# §6 Integer: <=> == < <= > >= between? clamp, with Floats too.
p 1 <=> 2, 2 <=> 1, 1 <=> 1, 1 <=> "a", 1 <=> 1.5
p 1 == 1.0, 1.eql?(1.0), 1.equal?(1), 1 == "1"
p 1 < 2, 2 <= 2, 3 > 4, 4 >= 4.0
p 5.between?(1, 5), 5.between?(6, 7)
p 15.clamp(1, 10), -3.clamp(0, 10), 3.clamp(1, 10)
