# §6 Regexp.new with String or Regexp and options; escape/quote; union.
r = Regexp.new("a.c", Regexp::IGNORECASE)
p r, r =~ "xABC", r.options
p Regexp.new("x", true), Regexp.new("x", Regexp::EXTENDED | Regexp::MULTILINE)
p Regexp.new(/y/i), Regexp.new("a/b")
p Regexp.escape("a.b*c?(d)[e]{f}|g^h$ i\n-"), Regexp.quote("1+1=2")
p Regexp.union("a.b", /c/i), Regexp.union, Regexp.union(%w[x y])
p Regexp::IGNORECASE, Regexp::EXTENDED, Regexp::MULTILINE
