# Procs, lambdas, regexps, ranges, classes and strings as `===` matchers in
# one list, the way s25r/trust matchers and policies are evaluated.
matchers = [
  "exact",
  /\Are/,
  1..5,
  Integer,
  ->(v) { v.to_s.size > 6 },
  proc { |v| v == :sym },
]
["exact", "regexp", 3, 42, "longer-text", :sym, "nope", 6.5].each do |v|
  idx = matchers.index { |m| m === v }
  puts "#{v.inspect} -> #{idx.inspect}"
end
