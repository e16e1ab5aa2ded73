# §3.5: runaway recursion raises SystemStackError (not a StandardError); the
# program continues after rescuing it.
def down(n)
  down(n + 1)
end
begin
  down(0)
rescue StandardError
  p :wrong_handler
rescue SystemStackError => e
  p e.class
end
p :still_running
p [1, 2].map { |x| x * 2 }
