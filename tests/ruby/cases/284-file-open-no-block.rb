# §8.1: File.open without a block returns a File object; readlines; close.
path = File.join(ARGV[0], "x.txt")
File.write(path, "a\nb\n")
f = File.open(path)
p f.readlines
f.close
g = File.open(path, "r")
p g.gets, g.gets, g.gets, g.lineno
g.close
w = File.open(File.join(ARGV[0], "out.txt"), "w")
w.write("written")
w.close
p File.read(File.join(ARGV[0], "out.txt"))
p File.open(path, &:gets)
