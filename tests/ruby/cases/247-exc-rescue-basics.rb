# §3.5: raise forms; rescue without a class catches StandardError; e.class.
def try
  yield
rescue => e
  [e.class, e.message]
end
p try { raise "boom" }
p try { raise ArgumentError }
p try { raise ArgumentError, "bad arg" }
p try { raise TypeError.new("typed") }
p try { fail "failed" }
p try { [].fetch(5) }.first
p try { nil.upcase }.first
p try { undefined_thing }.first
p try { Integer("x") }.first
