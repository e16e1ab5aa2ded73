# §3.5: method bodies may have rescue/else/ensure directly.
def parse(s)
  Integer(s)
rescue ArgumentError
  :invalid
else
  :valid
ensure
  puts "checked #{s}"
end
p parse("12"), parse("zz")
def ensure_return
  yield
ensure
  puts "ensure runs"
end
p ensure_return { :value }
