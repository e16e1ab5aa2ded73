# section 1: a leading BOM is ignored.
p :bom_ok
x = 1
y = 2
p x + y
