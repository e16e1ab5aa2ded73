# §1: global variables, $stdout/$stderr objects, special vars.
$counter = 0
def bump
  $counter += 1
end
3.times { bump }
p $counter, $undefined_global
p $stderr == $stdout
$stdout.puts "via $stdout"
$stdout.print "a", "b", "\n"
$stdout.write("written\n")
p $0 == __FILE__
