# Calls without parentheses with hash arguments and blocks.
def cfg(name, opts = {})
  block_given? ? yield(name, opts) : [name, opts]
end
p cfg "a", x: 1
r = cfg "b", y: 2 do |n, o|
  "#{n}:#{o[:y]}"
end
p r
p(cfg("c") { |n, _| n * 2 })
v = cfg "d", "k" => :v
p v
