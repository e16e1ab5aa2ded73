# §7.3: /x extended mode: whitespace and comments ignored outside classes.
re = /
  (\d{3})   # area
  [-\ ]     # separator (escaped space, and a space inside the class)
  (\d{4})   # number
/x
m = re.match("555-1234")
p m[1], m[2]
p re.match?("555 1234")
p "a b" =~ /a[ ]b/x, "ab" =~ /a b/x, "a#b" =~ /a\#b/x
p(/a b # c/x.source)
