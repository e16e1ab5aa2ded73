# §6 String: partition rpartition with String and Regexp.
p "a-b-c".partition("-"), "a-b-c".rpartition("-")
p "abc".partition("x"), "abc".rpartition("x")
p "a1b22c".partition(/\d+/), "a1b22c".rpartition(/\d+/)
p "key=value=x".partition("=")
p "".partition("a")
