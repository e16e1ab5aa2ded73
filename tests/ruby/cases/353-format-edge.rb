# §6 format edge cases: zero flag with %s, %c with Integer/String, %g
# thresholds, # flag with zero, sign flags with zero padding, precision.
p format("%05s|%-05d|%+05d|% 05d", "ab", 3, 3, 3)
p format("%c|%c|%c", 10, "h", 0x263a)
p format("%g|%g|%g|%g", 1e-5, 123456789, 1e15, 0.0001234)
p format("%#o|%#x|%#b", 0, 0, 0)
p format("%e|%E", 0, 1.5)
p format("%.3s|%.0s|%s", nil.inspect, "gone", :sym)
p format("%-6.2f|%6.1e|", 3.14159, 31415.9)
p format("%08.3e", -1.5)
