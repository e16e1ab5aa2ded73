# §1: regexp interpolation, with the o flag evaluating once per literal.
word = "ab+"
p "xab+y" =~ /#{Regexp.escape(word)}/, "xabby" =~ /#{word}/
res = %w[x y z].map { |w| /#{w}/o }
p res
dom = "example.com"
p(/\A<.+@#{Regexp.escape(dom)}>\z/ =~ "<a@example.com>")
p(/#{1 + 1}/.source)
