# §7.3: MatchData positions are character offsets; case folding for
# non-ASCII letters with /i.
s = "héllo wörld"
m = s.match(/w(.)r/)
p m.begin(0), m.end(1), m[1], m.pre_match
p s =~ /ö/, s.index("w"), s =~ /WÖRLD/i
p s.scan(/[éö]/), s.sub(/é/, "e")
p "ÀB".downcase =~ /àb/
