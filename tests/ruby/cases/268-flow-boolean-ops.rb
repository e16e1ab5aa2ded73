# §4: and/or/not/&&/||/! return the deciding operand; precedence of
# `and`/`or` below `=`.
p (nil || "d"), (1 && 2), (false && raise), (nil or :x), (1 and nil)
p !1, !nil, (not true), (not nil)
x = true and false
p x
y = false || true
p y
z = nil
z = 5 or raise
p z
p (1 if true && !false)
def side(v, log)
  log << v
  v
end
log = []
side(false, log) && side(1, log)
side(nil, log) || side(2, log)
p log
