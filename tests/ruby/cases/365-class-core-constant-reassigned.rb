# A program that reassigns core class constants changes its own constants;
# what the core methods raise and return stays the real classes.
$VERBOSE = nil
ArgumentError = 5
begin
  Integer("zz")
rescue => e
  p e.class, e.class == ArgumentError
end
Enumerator = 3
p [1, 2, 3].each_slice(2).to_a
Errno = 4
begin
  File.read("/nonexistent/dir/file")
rescue SystemCallError => e
  p e.class, e.message
end
String = 5
p "abc".upcase, "abc".class, String
