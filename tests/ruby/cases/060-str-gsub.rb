# §6 String#gsub: String/Regexp pattern, block form sets $~, hash form.
p "a.b.c".gsub(".", "-")
p "a.b.c".gsub(/\W/, "")
p "hello world".gsub(/o/) { $~.pre_match.size.to_s }
p "hello".gsub(/l/) { |m| m * 2 }
p "cat hat".gsub(/[ch]at/, "cat" => "dog", "hat" => "cap")
p "abc".gsub(/b/, "b" => 1)
p "aaa".gsub("a", "bb")
p "x-y-z".gsub("-") { nil }
p "abc".gsub("", "-")
