# show-config.md §4.2: String#dump escapes every non-ASCII character.
p "\u00e9".dump
puts "\u00e9\n\t\"\\".dump
puts "\#{x} #$ #@ \e\x01\x7f".dump
puts "\u{1f600}".dump
puts "plain".dump
puts "\u200b\u4e2d".dump
p "é".dump.size
