# Idioms from the upstream configs: option hashes with ||=, dup of options.
def configure(*args)
  options = args.last.is_a?(Hash) ? args.pop.dup : {}
  options[:condition_name] ||= "Restrict Accounts by List: #{args.inspect}"
  options[:milters] ||= []
  [args, options]
end
p configure("a@example.com", /\Ab@/)
p configure("x", condition_name: "X", milters: ["m1"])
opts = { condition_name: "Kept" }
configure("y", opts)
p opts
