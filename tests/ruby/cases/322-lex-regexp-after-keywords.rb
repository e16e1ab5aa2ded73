# §2.2: `/` starts a regexp after keywords, `(`, `,`, `[`, operators and at
# statement start.
s = "value"
p(/al/ =~ s)
if /va/ =~ s then p :if_regexp end
p [/a/, /b/].size
x = /v(.)/
p x.match(s)[1]
r = s =~ /u/ ? /yes/ : /no/
p r
def re_ret
  return /ret/
end
p re_ret.source
p(s.match?(/E/i) && /x/.match?("x"))
p(nil || /alt/)
case s when /lu/ then p :when_regexp end
