# §6 Array: any? all? none? one? with blocks and pattern arguments, empty?
a = [1, 2, 3]
p a.any? { |x| x > 2 }, a.all? { |x| x > 0 }, a.none? { |x| x > 3 }, a.one? { |x| x > 2 }
p [].any?, [].all?, [].none?, [nil, false].any?, [nil, 1].all?, [nil].one?
p a.any?(2), a.all?(Integer), a.none?(String), ["ab", "c"].one?(/b/)
p [].empty?, a.empty?
p [1, "a", :b].any?(String)
