# §6 Float: to_s/inspect agree; Integer#to_f; interpolation.
p 1.0.to_s, 1.5.inspect, 10.to_f, (2**53 + 1).to_f
p 1e20.to_s, 1e-20.inspect
puts "v=#{0.1 + 0.7}"
p 100.0.to_i, 3.99.to_i
p [1.0, 2.50, -0.0]
p({ 1.0 => 1 })
p 12.0.floor, 12.5.ceil
