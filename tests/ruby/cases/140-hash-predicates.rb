# §6 Hash: key? has_key? include? member? value? empty? size length
h = { a: 1, b: nil }
p h.key?(:a), h.has_key?(:b), h.include?(:c), h.member?(:a)
p h.value?(1), h.value?(nil), h.value?(2)
p h.empty?, {}.empty?, h.size, h.length
