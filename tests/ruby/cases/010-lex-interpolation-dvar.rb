# §2.5: STRING_DVAR: `#@ivar` and `#$gvar` interpolate; `\#` and `#` alone
# do not.
@name = "ivar"
$glob = "gvar"
puts "i=#@name g=#$glob"
puts "hash # alone"
puts "escaped \#{@name} \#@name"
puts 'single #{@name} #@name'
x = "#@name!"
p x
