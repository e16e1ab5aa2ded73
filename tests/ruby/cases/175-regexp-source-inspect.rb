# §7.1: Regexp inspect (flags in order m i x; `/` shown escaped), source,
# to_s, options.
p /a\/b/mi, /x/xim, /plain/, %r{a/b}, /é/
p /a\/b/.source, %r{a/b}.source, /\d+/.source
p /ab/i.to_s, /ab/.to_s, /ab/mx.to_s
p /a/.options, /a/i.options, /a/x.options, /a/m.options, /a/mix.options
p /x/ == /x/, /x/ == /x/i, /x/.eql?(/x/)
puts /tab\t/.inspect
