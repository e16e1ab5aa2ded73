# §3.7: terminate/exit are kill; $~ is per thread.
t1 = Thread.new { sleep 10 }
t2 = Thread.new { sleep 10 }
sleep 0.02
t1.terminate
t2.exit
p t1.join.equal?(t1), t2.join.equal?(t2), t1.alive?, t2.alive?
"main-text" =~ /(main)/
Thread.new { "thread-text" =~ /(thread)/ }.join
p $1
th = Thread.new { "abc" =~ /b/; $~[0] }
p th.value, $~[0]
