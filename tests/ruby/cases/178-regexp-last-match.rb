# §6 Regexp.last_match, $~ $1..$9 $& $` $' $+ after matches and failures.
"John Smith" =~ /(\w+) (\w+)/
p $~[0], $1, $2, $3, $&, $`, $', $+
p Regexp.last_match(1), Regexp.last_match[2], Regexp.last_match(0)
"2024 year" =~ /(\d+)(x)?/
p $1, $2, $+
"zzz" =~ /abc/
p $~, $1, $&
