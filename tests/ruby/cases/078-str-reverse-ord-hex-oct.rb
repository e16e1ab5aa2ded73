# §6 String: reverse ord hex oct
p "abc".reverse, "héllo".reverse, "".reverse
p "A".ord, "é".ord, "abc".ord
p "ff".hex, "0x1A".hex, "-0x10".hex, "zz".hex, "1g".hex
p "777".oct, "0x1f".oct, "0b11".oct, "0o17".oct, "89".oct, "-17".oct
