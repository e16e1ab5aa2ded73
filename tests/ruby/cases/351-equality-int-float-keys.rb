# §3.6: == vs eql? between 1 and 1.0 in Array, Hash and case/when.
p [1, 2].include?(1.0), [1.0].index(1), [1, 1.0, 2] - [1], [1, 1.0] & [1.0]
p({ 1 => :a }.key?(1.0), { 1.0 => :a }[1], { 1 => :a }.value?(:a))
p(case 1.0 when 1 then :matched_int else :no end)
p(case 1 when 1.0 then :matched_float else :no end)
p [1, 1.0].uniq, [2, 2.0].tally, 1.hash == 1.0.hash
