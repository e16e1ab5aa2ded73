# §8.1, config.md §2.3: Dir.glob / Dir[] (sorted; `*` skips dot files,
# `**/`, `{a,b}`, `?`, `[set]`), exist?, entries, children, pwd.
base = File.join(__dir__, "support", "glob")
rel = ->(list) { list.map { |f| f.sub(base + "/", "") } }
p rel.(Dir.glob(File.join(base, "*.conf")))
p rel.(Dir[File.join(base, "**", "*.conf")])
p rel.(Dir.glob(File.join(base, "{a,c}.*"))), rel.(Dir.glob(File.join(base, "?.c[a-o]*")))
p rel.(Dir.glob(File.join(base, "[!a]*"))), rel.(Dir.glob(File.join(base, "*.none")))
p Dir.exist?(base), Dir.exist?(File.join(base, "nope")), Dir.exist?(File.join(base, "a.conf"))
p Dir.entries(base).sort, Dir.children(File.join(base, "sub")).sort
p Dir.pwd == ARGV[0]
