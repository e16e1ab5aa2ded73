# §1: character literal `?c` (a one-character String) next to a ternary.
p ?a
p ?a + ?b
p [?x, ?y, ?z]
c = ?Z
p c
p c == "Z"
t = true
p t ? ?y : ?n
p(t ?1:2)
