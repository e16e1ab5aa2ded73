# §6 String: eql? <=> casecmp casecmp? hash
p "a".eql?("a"), "a".eql?(:a)
p "a" <=> "b", "b" <=> "a", "a" <=> "a", "a" <=> "ab", "B" <=> "a"
p "a" <=> 1
p "aBc".casecmp("AbC"), "a".casecmp("B"), "b".casecmp("A")
p "aBc".casecmp?("AbC"), "a".casecmp?("b")
p "x".hash == "x".hash
p "x".hash == "y".hash
p "abc" < "abd", "b" > "abc", "a" <= "a", "a" >= "b"
