# Nested begin blocks: exceptions propagate outward through ensure clauses.
trace = []
def level(n, trace)
  trace << "enter #{n}"
  raise ArgumentError, "at #{n}" if n == 3
  level(n + 1, trace)
ensure
  trace << "leave #{n}"
end
begin
  level(1, trace)
rescue ArgumentError => e
  trace << e.message
end
p trace
