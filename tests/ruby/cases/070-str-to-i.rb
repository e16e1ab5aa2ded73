# §6 String#to_i: whitespace, sign, underscores, stops at invalid characters.
p "42".to_i, "  42abc".to_i, "-17".to_i, "+5".to_i
p "1_000".to_i, "1__0".to_i, "_1".to_i, "".to_i, "abc".to_i
p "0x1A".to_i, "0x1A".to_i(16), "1A".to_i(16), "ff".to_i(16)
p "101".to_i(2), "777".to_i(8), "z".to_i(36)
p "12.7".to_i, " \n 9".to_i
p "123456789012345678901234567890".to_i
