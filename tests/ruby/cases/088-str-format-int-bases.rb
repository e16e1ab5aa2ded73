# §6 format: %x %X %o %b %B with # flag, negative numbers, width, precision.
p format("%x %X %o %b %B", 255, 255, 8, 5, 5)
p format("%#x %#X %#o %#b %#B", 255, 255, 8, 5, 5)
p format("%08b|%-6x|%.4x", 5, 255, 10)
p format("%x", -255), format("%b", -5), format("%o", -8)
p format("%+x", -255), format("% b", -5)
p format("%*d|%-*d", 5, 1, 4, 2)
p format("%.3d", 7)
