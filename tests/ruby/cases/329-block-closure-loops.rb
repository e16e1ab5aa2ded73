# §3.2: closures created in loops: `while` shares one variable, block
# parameters are fresh per iteration.
procs = []
i = 0
while i < 3
  procs << -> { i }
  i += 1
end
p procs.map(&:call)
fresh = (0..2).map { |j| -> { j } }
p fresh.map(&:call)
acc = []
[1, 2].each { |x| acc << proc { x * 10 } }
p acc.map(&:call)
