# §3.3: `return` at the top level ends the program.
p :first
def check
  return :from_method
  :unreachable
end
p check
return if ARGV.size == 1
p :not_reached
