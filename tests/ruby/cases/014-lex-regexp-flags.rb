# §7.3: flags i, m, x, o; u and n accepted and ignored.
p "ABC" =~ /b/i
p "a\nb" =~ /a.b/
p "a\nb" =~ /a.b/m
p "abc" =~ /a b c/x
p(/a  # letter a
   b  # letter b
  /x.match?("ab"))
p "abc".match?(/b/u)
p "abc".match?(/c/n)
p(/x/mix.options)
