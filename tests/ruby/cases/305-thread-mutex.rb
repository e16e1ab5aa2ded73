# §3.7: Mutex#synchronize, lock, unlock.
m = Mutex.new
count = 0
threads = (1..4).map { Thread.new { 100.times { m.synchronize { count += 1 } } } }
threads.each(&:join)
p count
m.lock
p :locked
m.unlock
p m.synchronize { :inside }
