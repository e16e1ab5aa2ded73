# §6 String case mapping and comparison edge cases.
p "ǅ".downcase, "ǆ".upcase, "ǆ".capitalize, "İ".downcase.bytes.size
p "ΣΑΣ".downcase, "ﬀ".upcase, "ß".capitalize
p "a".casecmp("A"), "é".casecmp?("É"), "é".casecmp("É")
p "Straße".downcase == "strasse", "Ab".swapcase
p "ÀÉÎ".downcase.upcase
