# §3.3: Proc#arity and lambda? for procs and lambdas.
p proc { }.arity, proc { || }.arity, proc { |a| }.arity, proc { |a, b| }.arity
p proc { |*a| }.arity, proc { |a, *b| }.arity, proc { |a, b = 1| }.arity
p lambda { }.arity, lambda { |a, b = 1| }.arity, ->(a, *r) {}.arity, ->() {}.arity
p ->(a, k:) {}.arity, ->(k: 1) {}.arity
p proc {}.lambda?, lambda {}.lambda?, ->{}.lambda?, Proc.new {}.lambda?
