# §3.6: a method returns its last expression or an explicit return value;
# `def` returns the name Symbol; return with several values gives an Array.
def last_expr
  1
  2
end
def multi
  return 1, 2
end
def early(x)
  return :neg if x < 0
  :pos
end
def empty_body; end
p last_expr, multi, early(-1), early(1), empty_body
p(def defined_now; end)
x = def another; end
p x
