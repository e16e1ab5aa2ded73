# §8.1: File.join, dirname, basename (with suffix), extname.
p File.join("a", "b", "c"), File.join("a/", "/b"), File.join("", "etc"), File.join("/", "x")
p File.join("a", ["b", "c"]), File.join, File.join("a//", "b")
p File.dirname("/a/b/c.rb"), File.dirname("/a/b/"), File.dirname("a"), File.dirname("/")
p File.dirname("a/b"), File.dirname("//a"), File.dirname("")
p File.basename("/a/b.conf"), File.basename("/a/b.conf", ".conf"), File.basename("x.tar.gz", ".*")
p File.basename("/a/b/"), File.basename("/"), File.basename("b.rb", ".py")
p File.extname("a/b.conf"), File.extname("x.tar.gz"), File.extname("noext"), File.extname(".bashrc")
