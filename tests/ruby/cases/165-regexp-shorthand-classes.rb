# §7.3: \w \W \d \D \s \S \h \H (ASCII in Ruby).
p "aé_1-".scan(/\w/), "aé_1-".scan(/\W/)
p "a1٣".scan(/\d/), "a1".scan(/\D/)
p " \t\n\v\f\rx".scan(/\s/).size, "a b".scan(/\S/)
p "0fG9aZ".scan(/\h/), "0fG9".scan(/\H/)
p "x y" =~ /\s/, "é" =~ /\w/
p "a-b_c".gsub(/\W/, "")
