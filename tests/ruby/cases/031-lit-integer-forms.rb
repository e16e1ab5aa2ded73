# §1: integer literals: decimal with underscores, octal, hex, binary, 0d.
p 123
p 1_000_000
p 0660
p 00
p 0o17
p 0O17
p 0x1F
p 0Xff
p 0b101
p 0d99
p(-0x10)
p 0 - 0b11
