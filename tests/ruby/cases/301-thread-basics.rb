# §3.7: Thread.new with arguments, join (returns the thread), value,
# alive?, Thread.current.
t = Thread.new(2, 3) { |a, b| a * b }
p t.join.equal?(t), t.value, t.alive?
results = (1..4).map { |i| Thread.new { i * i } }.map(&:value)
p results
p Thread.current.is_a?(Thread), Thread.current == Thread.current
slow = Thread.new { sleep 0.05; :late }
p slow.join(5).nil?, slow.value
