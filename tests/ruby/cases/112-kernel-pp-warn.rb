# §6 Kernel: pp prints like p and returns its argument; warn goes to stderr.
x = pp({ a: [1, 2] })
p x
pp "s", 1
warn "this goes to standard error"
warn "so", "does this"
$stderr.puts "and this"
$stdout.puts "stdout object"
$stdout.print "printed\n"
p :done
