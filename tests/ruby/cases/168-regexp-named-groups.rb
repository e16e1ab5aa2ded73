# §7.3: named groups (?<n>...) and (?'n'...), \k<n> and \k'n' backrefs.
m = /(?<year>\d{4})-(?<mon>\d\d)/.match("on 2024-05-01")
p m[:year], m["mon"], m.names, m.captures, m.named_captures
m2 = /(?'word'\w+) \k'word'/.match("say hello hello there")
p m2[:word], m2[0]
p "abab" =~ /(?<x>ab)\k<x>/
p "ab-ab" =~ /(?<p>\w+)-\k<p>/, "ab-ba" =~ /(?<p>\w+)-\k<p>/
p(/(?<a>.)(?<b>.)/.names)
