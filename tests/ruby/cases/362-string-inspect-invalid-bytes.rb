# §7.2: invalid UTF-8 bytes are kept and inspected as \xHH between valid
# characters; bytesize and valid_encoding? follow.
s = "\xE9t\xE9"
p s, s.bytesize, s.valid_encoding?
t = "ok\xC3"
p t, t.size
u = "\xF0\x9F\x98\x80"
p u, u.size, u.valid_encoding?
p "a\xFFb".bytes
