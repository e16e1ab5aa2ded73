# §6 Array: to_a to_h (pairs, with block) inspect to_s hash
a = [[:a, 1], [:b, 2]]
p a.to_a.equal?(a), a.to_h, [1, 2].to_h { |x| [x, x * x] }
p a.inspect, a.to_s, [nil, true, "s", :s, 1.0].to_s
p [1, [2]].hash == [1, [2]].hash, [1].hash == [2].hash
p [[1, 2]].to_h
h = { [1, 2] => :pair }
p h[[1, 2]]
