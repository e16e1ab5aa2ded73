# begin/end as an expression; parenthesised statement sequences.
v = begin
  a = 1
  a + 1
end
p v
w = (x = 3; x * 2)
p w
p((1; 2; 3))
r = begin; :single; end
p r
u = (p :side_effect; :result)
p u
