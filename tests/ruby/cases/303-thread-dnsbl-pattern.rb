# dnsbl.conf: one thread per service pushes an answer; the main thread pops
# until a true answer, then kills and joins all threads.
services = [["zen.example", true], ["sorbs.example", false], ["spamcop.example", false]]
answers = Thread::Queue.new
threads = []
services.each do |domain, listed|
  threads << Thread.new do
    begin
      raise IOError, "lookup failed" unless listed
      answers.push(true)
    rescue Exception => _
      answers.push(false)
    end
  end
end
listed = false
services.size.times do
  if answers.pop
    listed = true
    break
  end
end
threads.each(&:kill)
threads.each(&:join)
p listed, threads.size, threads.none?(&:alive?)
