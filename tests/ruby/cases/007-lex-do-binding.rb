# §2.3: `do` binds to the command call (`foo bar do … end` gives the block
# to foo); braces bind to the nearest call (`foo bar { … }` gives it to bar).
def foo(arg = nil)
  "foo(#{arg.inspect}) block=#{block_given?}"
end

def bar
  block_given? ? "bar+block" : "bar"
end

puts foo bar do 1 end
puts foo bar { 1 }
puts foo(bar) { 1 }
puts foo(bar) do 1 end
x = foo bar do
  2
end
puts x
