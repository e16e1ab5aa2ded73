# §6 String#split/gsub/scan with patterns that can match the empty string.
p "abc".split(/b*/), "abc".split(/x*/), "a,b".split(/(,)/, 2)
p "abc".gsub(/x*/, "-"), "abc".gsub(//, "."), "abc".sub(/x*/, "-")
p "abc".scan(//), "aab".scan(/a*/)
p "hello world".split(/(o)/), "a1b2".split(/\d/, -1)
p "  lead".split(/\s/), "a b".split(/\s*/)
