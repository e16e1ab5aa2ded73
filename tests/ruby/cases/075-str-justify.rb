# §6 String: center ljust rjust
p "ab".center(6), "ab".center(7, "*"), "ab".center(1)
p "ab".ljust(5), "ab".ljust(6, "12"), "abc".ljust(2)
p "ab".rjust(5), "ab".rjust(7, "xy"), "é".rjust(3, ".")
p "x".center(4, "ab")
