# §8.1: readable? writable? executable? mtime.
path = File.join(ARGV[0], "script.sh")
File.write(path, "#!/bin/sh\n")
p File.readable?(path), File.writable?(path), File.executable?(path)
p File.executable?("/bin/sh"), File.directory?("/bin/sh")
p File.readable?(File.join(ARGV[0], "missing"))
p File.mtime(path).is_a?(Time)
p (Time.now - File.mtime(path)).abs < 3600
