# §6 Integer: to_s(base) inspect to_i to_int to_f chr ord size hash
p 255.to_s, 255.to_s(2), 255.to_s(16), 35.to_s(36), -255.to_s(16)
p 42.inspect, 42.to_i, 42.to_int, 42.to_f
p 65.chr, 97.chr, 97.ord
p 1.size
p 7.hash == 7.hash, 7.hash == 8.hash
p (2**70).to_s(16)
p 0.to_s(2)
