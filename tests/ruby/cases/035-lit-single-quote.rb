# §1: single-quoted strings only unescape `\\` and `\'`.
p 'a\'b'
p 'back\\slash'
p 'keep \n \t \x41 #{x}'
p 'one\two'
puts 'it''s'
s = 'multi
line'
p s
p '\\'.size
