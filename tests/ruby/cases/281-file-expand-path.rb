# §8.1: File.expand_path relative to a dir or the working directory,
# normalising `.`, `..` and `//` lexically; absolute_path?.
p File.expand_path("b/../c", "/a"), File.expand_path("/x/./y//z/.."), File.expand_path("..", "/a/b")
p File.expand_path("conf", "/etc/milter-manager"), File.expand_path("/abs", "/ignored")
p File.expand_path("x") == File.join(Dir.pwd, "x")
p File.expand_path("~") == ENV["HOME"], File.expand_path("~/f") == File.join(ENV["HOME"], "f")
p File.absolute_path?("/a"), File.absolute_path?("a"), File.absolute_path?("~")
p File.expand_path("../../..", "/a")
