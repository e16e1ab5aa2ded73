# §6 String#to_f
p "1.5".to_f, "-3.7e2x".to_f, "1e".to_f, ".5".to_f
p "abc".to_f, "".to_f, "  2.5  ".to_f, "1_000.5".to_f
p "1e3".to_f, "1.5E-3".to_f, "12".to_f
p "-0".to_f
p "3.14abc".to_f
