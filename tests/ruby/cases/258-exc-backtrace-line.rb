# §3.5: e.backtrace is an Array of "FILE:LINE:in ..." (only the line number
# is compared: the label differs between Ruby 3.1 and 3.4).
def deep
  raise "x"
end
begin
  deep
rescue => e
  p e.backtrace.class
  p e.backtrace.first.split(":")[1]
  p e.backtrace.size >= 2
  p e.backtrace[1].split(":")[1]
end
