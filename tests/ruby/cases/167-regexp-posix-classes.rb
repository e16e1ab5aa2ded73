# §7.3: POSIX bracket classes on ASCII text (non-ASCII is a [deviation]).
s = "aZ9 _\t!~\x01"
%w[alpha digit alnum upper lower space blank punct xdigit cntrl print graph word ascii].each do |name|
  puts "#{name}: #{s.scan(Regexp.new("[[:#{name}:]]")).inspect}"
end
p "ab12".scan(/[[:^digit:]]/), "ab12".scan(/[^[:alpha:]]/)
p "x-1" =~ /[[:digit:]-]/
