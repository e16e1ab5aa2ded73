# §3.2: blocks capture the enclosing scope by reference.
counter = 0
inc = -> { counter += 1 }
3.times { inc.call }
p counter
adders = [1, 2, 3].map { |n| ->(x) { x + n } }
p adders.map { |f| f.call(10) }
x = 1
show = proc { x }
x = 2
p show.call
def make_counter
  count = 0
  [-> { count += 1 }, -> { count }]
end
incr, get = make_counter
incr.call
incr.call
p get.call
