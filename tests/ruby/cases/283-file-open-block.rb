# §8.1: File.open with a block (returns the block value, closes the file),
# each_line, gets, lineno, path, eof?, read.
path = File.join(ARGV[0], "domains.txt")
File.write(path, "gmail.com\n# comment\n/example\\.com$/\n")
n = File.open(path) do |f|
  p File.basename(f.path)
  p f.gets, f.lineno
  p f.eof?
  rest = f.read
  p rest, f.eof?, f.gets
  :block_value
end
p n
File.open(path) { |f| f.each_line { |l| print l.size, " " } }
puts
