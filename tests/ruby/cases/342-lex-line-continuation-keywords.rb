# §1: a statement continues after `and`/`or`/`&&`/`||`/`not`/a trailing `.`.
a = true and
  false
p a
b = nil ||
  :second
p b
c = 1 &&
  2
p c
d = [3, 1, 2].
  sort.
  first
p d
e = (false or
  :or_value)
p e
f = (not
  true)
p f
