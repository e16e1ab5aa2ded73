# String processing across lines: each_line with index via counter,
# strip/split/join round trips.
text = <<~CONF
  # comment
  key1 = value one
    key2=value2
  badline
CONF
pairs = {}
lineno = 0
text.each_line do |line|
  lineno += 1
  next if line =~ /\A\s*(#|$)/
  if /\A\s*(\w+)\s*=\s*(.+?)\s*\z/ =~ line
    pairs[$1] = $2
  else
    puts "line #{lineno}: invalid format <#{line.chomp}>"
  end
end
p pairs
