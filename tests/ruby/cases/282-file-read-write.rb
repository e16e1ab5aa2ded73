# §8.1: File.write (returns the size), read, readlines (chomp:), foreach,
# exist? file? directory? size.
dir = ARGV[0]
path = File.join(dir, "list.txt")
p File.exist?(path)
p File.write(path, "one\ntwo\n\nthree")
p File.exist?(path), File.file?(path), File.directory?(path), File.directory?(dir)
p File.read(path)
p File.readlines(path), File.readlines(path, chomp: true)
File.foreach(path) { |line| p line }
p File.size(path)
