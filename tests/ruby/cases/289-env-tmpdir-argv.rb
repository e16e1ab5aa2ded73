# §11: ARGV holds the arguments as Strings; the runner passes the same temp
# directory as ARGV[0], in ENV and as the working directory.
p ARGV.class, ARGV.size, ARGV[0].class
p ARGV[0] == ENV["RCASE_TMPDIR"], Dir.pwd == ARGV[0]
p Dir.children(ARGV[0])
File.write("relative.txt", "made in cwd")
p File.exist?(File.join(ARGV[0], "relative.txt"))
p File.read(File.expand_path("relative.txt"))
