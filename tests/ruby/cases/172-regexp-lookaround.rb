# §7.3: lookahead and lookbehind, including alternatives of different
# lengths in a lookbehind.
p "price: $42" =~ /(?<=\$)\d+/, $~[0]
p "foobar".scan(/o(?=b)/), "foobaz".scan(/ba(?!r)/)
p "xa1 bc2" =~ /(?<=a|bc)\d/, $~[0]
p "bc2".match(/(?<=a|bc)\d/)[0]
p "no" =~ /(?<!n)o/, "so" =~ /(?<!n)o/
p "a1b2".gsub(/(?<=[a-z])\d/, "#")
