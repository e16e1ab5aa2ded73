# §4: respond_to?(:call) and is_a?(Hash) checks as used by the conditions.
matchers = [/re/, "str", proc { |h| h }, ->(h) { h }, :sym]
p matchers.map { |m| m.respond_to?(:call) }
p [{}, [], nil, { a: 1 }].map { |x| x.is_a?(Hash) }
p [1, 1.0, "1"].map { |x| x.is_a?(Numeric) }
p [Integer, Float, String].map { |k| k === 1 }
