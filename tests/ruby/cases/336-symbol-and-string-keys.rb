# Symbols vs Strings as keys, to_sym/to_s conversions, symbolized options.
opts = { "condition_name" => "X", "milters" => ["m"] }
sym = opts.transform_keys(&:to_sym)
p sym, sym[:condition_name], opts[:condition_name]
back = sym.map { |k, v| [k.to_s, v] }.to_h
p back == opts
p %i[a b].map(&:to_s), %w[a b].map(&:to_sym)
p :a.to_proc.call({ a: 1 }) rescue p $!.class
