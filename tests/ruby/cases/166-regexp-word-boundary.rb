# §7.3: \b \B are Unicode-aware word boundaries.
p "hello world".scan(/\b\w/), "hello world".scan(/\B\w/).size
p "café bar" =~ /\bbar\b/, "xbar" =~ /\bbar/
p "café" =~ /caf\b/, "café x" =~ /é\b/
p "one,two" =~ /\btwo\b/
p "ab".gsub(/\b/, "|")
