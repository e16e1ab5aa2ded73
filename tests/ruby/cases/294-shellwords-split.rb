# §8.9: Shellwords.split / String#shellsplit (POSIX word splitting).
require "shellwords"
p Shellwords.split("a b  c")
p Shellwords.split(%q{one 'two three' "four five" six\ seven})
p Shellwords.split(%q{"a\"b" 'c\d' e\\f})
p "x 'y z'".shellsplit
p Shellwords.split(%q{"$HOME" '$HOME' a"b"c})
p Shellwords.split(""), Shellwords.split("  ")
p Shellwords.split(%Q{"multi\\\nline"})
begin
  Shellwords.split("a 'b")
rescue ArgumentError => e
  p e.class, e.message
end
