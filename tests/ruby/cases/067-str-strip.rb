# §6 String: strip lstrip rstrip (ASCII whitespace and NUL).
s = " \t\n hi there \r\n"
p s.strip, s.lstrip, s.rstrip
p "\0 x \0".strip
p "".strip
p "xx".strip
p "\v\fy\v\f".strip
p s
