# §3.3: &blk parameters, &proc and &:sym block pass, &nil passes no block.
def run(opts = {}, &blk)
  blk ? blk.call(opts) : :no_block
end
p run { |o| o.size }
p run(a: 1) { |o| o }
nothing = nil
p run(&nothing)
up = proc { |o| o.class }
p run(&up)
def twice
  [yield(1), yield(2)]
end
p twice(&:succ)
l = ->(x) { x * 7 }
p twice(&l)
