# §6 Hash: map select filter reject (select/reject return Hashes).
h = { a: 1, b: 2, c: 3 }
p h.map { |k, v| "#{k}#{v}" }
p h.select { |k, v| v > 1 }, h.filter { |k, _| k != :a }
p h.reject { |_k, v| v.odd? }
p h.map { |pair| pair.class }
p h
