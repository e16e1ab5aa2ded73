# §6 Range: include? member? cover? === (Integer and String ranges).
r = 1..10
p r.include?(5), r.include?(10), (1...10).include?(10), r.member?(0)
p r.cover?(2.5), r === 3, r === 11, r.include?(5.5)
s = "a".."e"
p s.include?("c"), s.include?("cc"), s.cover?("cc"), s === "cc"
p (1..10) === "x", ("a".."z").include?(1)
p (8..19).include?(12)
