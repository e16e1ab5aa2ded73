# §7.3: (?#...) comments, \e \a, \x \u \u{...}, escaped punctuation,
# an unknown escape letter matches the letter.
p "ab" =~ /a(?# a comment)b/
p "\e[0m" =~ /\e\[0m/, "\a" =~ /\a/
p "A" =~ /\x41/, "é" =~ /\u00e9/, "😀" =~ /\u{1F600}/, "AB" =~ /\u{41 42}/
p "a.b" =~ /a\.b/, "a/b" =~ /a\/b/, "(x)" =~ /\(x\)/, "a+" =~ /a\+/
p "yes" =~ /\yes/
p "a-b" =~ /a\-b/, "{}" =~ /\{\}/
