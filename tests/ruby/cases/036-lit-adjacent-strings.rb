# §1: adjacent string literals concatenate.
n = 1
p "a" "b"
p "a" 'b' "c#{n}"
s = "x" \
  "y"
p s
p %w[k].first + "v"
p("p" "q")
