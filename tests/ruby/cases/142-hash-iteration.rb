# §6 Hash: each each_pair each_key each_value (pairs auto-splat by |k, v|).
h = { a: 1, b: 2 }
r = h.each { |k, v| print k, "=", v, " " }
puts
p r.equal?(h)
h.each_pair { |k, v| print k, v }
puts
h.each { |pair| p pair }
h.each_key { |k| p k }
h.each_value { |v| p v }
