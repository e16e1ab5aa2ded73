# §8.1: File.open without a block returns a File object; readlines; close.
path = File.join(ARGV[0], "x.txt")
File.write(path, "a\nb\n")
f = File.open(path)
p f.readlines
f.close
g = File.open(path, "r")
p g.gets, g.gets, g.gets, g.lineno
g.close
p File.write(File.join(ARGV[0], "out.txt"), "written"), File.read(File.join(ARGV[0], "out.txt"))
p File.open(path, &:gets)
