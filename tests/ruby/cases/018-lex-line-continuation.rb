# §1: a newline does not end a statement after a binary operator, a comma,
# an opening bracket, or a trailing backslash; `=` then `"…" +` lines.
description =
  "Apply a milter only when connected host is listed in " +
  "DNS-based Blackhole List"
puts description
total = 1 +
  2 +
  3
p total
list = [1,
  2,
  3,
]
p list
x = 10 \
  - 4
p x
p(1,
  2)
