# §2.2: `{` is a hash literal at operand start, a block after a method name
# or `)`.
def takes(*args)
  block_given? ? [:block, yield] : [:args, args]
end
p takes { 1 }
p takes({})
p takes({ a: 1 })
p(takes() { 2 })
x = {}
y = [{}, { b: {} }]
p x, y
z = -> { {} }
p z.call
p [1, 2].map { |v| { v => v } }
