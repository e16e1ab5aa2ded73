# §3.7: Queue/Thread::Queue push << enq pop shift deq size length empty?
# clear; pop(true) on an empty queue raises ThreadError "queue empty".
q = Thread::Queue.new
q.push(1)
q << 2
q.enq(3)
p q.size, q.length, q.empty?
p q.pop, q.shift, q.deq, q.empty?
q.push(:x)
q.clear
p q.size
begin
  q.pop(true)
rescue ThreadError => e
  p e.class, e.message
end
q2 = Queue.new
producer = Thread.new { 3.times { |i| q2.push(i) } }
p [q2.pop, q2.pop, q2.pop], producer.join.equal?(producer)
