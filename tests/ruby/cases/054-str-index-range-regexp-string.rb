# §6 String#[] with Range, Regexp, Regexp + capture, String.
s = "hello world"
p s[0..4], s[0...4], s[6..-1], s[-5..], s[3..2], s[11..], s[12..]
p s[/o\s\w/]
p s[/(\w+) (\w+)/, 2]
p s[/(?<w>wor)/, "w"]
p s[/z/]
p s["lo w"], s["xyz"]
p $~
