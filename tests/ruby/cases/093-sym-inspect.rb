# §7.1: Symbol#inspect quoting rules.
syms = ["a", "A", "a?", "a!", "a=", "@a", "@@a", "$a", "+", "[]", "[]=",
        "a b", "9x", "a?b", "", "=", "a=b", "@", "$", "!=", "call", "_",
        "__x", "é", "a-b", "?", "!", "+@", "a!=", "A?", "<=>", "==="]
syms.each { |s| print s.to_sym.inspect, " " }
puts
p :"foo\nbar"
p :"quote\"d"
