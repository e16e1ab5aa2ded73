# if/else as method arguments and in interpolation; unless with else.
n = 4
puts "n is #{n.even? ? "even" : "odd"}"
puts "n is #{if n > 3 then "big" else "small" end}"
p [(if n == 4 then :four end), (unless n == 4 then :not_four end)]
def check(v)
  return :none unless v
  v.empty? ? :empty : :some
end
p check(nil), check(""), check("x")
