# §3.5: OSError becomes Errno::*; the ENOENT message (same in 3.1 and 3.4).
begin
  File.read("missing.txt")
rescue Errno::ENOENT => e
  p e.class, e.message, e.is_a?(SystemCallError)
end
begin
  File.open("missing.txt")
rescue SystemCallError => e
  p e.class
end
begin
  File.read(ARGV[0])
rescue Errno::EISDIR => e
  p e.class
end
