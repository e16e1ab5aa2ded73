# §1, §7.2: `\xHH` above 0x7F gives a byte; valid sequences form characters,
# invalid bytes stay bytes.
p "\xC3\xA9"
p "\xC3\xA9" == "é"
p "\xFF"
p "\xFF".valid_encoding?
p "a\xFFb".bytesize
p "é".valid_encoding?
p "\xE2\x82\xAC".size
