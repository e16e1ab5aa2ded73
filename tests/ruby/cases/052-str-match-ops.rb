# §6 String: =~ match match? (match? does not set $~)
s = "hello world"
p s =~ /o/
p s =~ /z/
p $~
p s =~ /(w)or/
p $~[0], $1
m = s.match(/(?<first>\w+) (?<second>\w+)/)
p m[:first], m["second"]
p s.match(/zzz/)
"abc" =~ /b/
p s.match?(/world/), s.match?(/x/)
p $~[0]
p s.match("o w")[0]
