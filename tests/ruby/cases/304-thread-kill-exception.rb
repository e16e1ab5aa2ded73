# §3.7: kill stops a thread (ensure still runs); value re-raises the
# thread's exception.
log = Queue.new
started = Queue.new
t = Thread.new do
  begin
    started.push(true)
    sleep 10
  ensure
    log.push(:ensure_ran)
  end
end
started.pop
sleep 0.05
t.kill
t.join
p t.alive?, log.pop
bad = Thread.new { raise ArgumentError, "in thread" }
begin
  bad.value
rescue ArgumentError => e
  p e.class, e.message
end
