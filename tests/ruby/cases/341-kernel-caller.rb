# §6 Kernel#caller: an Array of "FILE:LINE:in ..." (only line numbers are
# compared: labels differ between Ruby 3.1 and 3.4).
def where_from
  caller
end
def outer
  where_from
end
c = outer
p c.class, c.first.split(":")[1], c[1].split(":")[1]
p caller.class
p(c.all? { |l| l.is_a?(String) })
