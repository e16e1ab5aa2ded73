# §3.5: Exception#inspect, message, to_s, full class names.
e = RuntimeError.new("boom")
p e, e.message, e.to_s
p RuntimeError.new, ArgumentError.new("x").inspect
p KeyError.new("k"), Errno::ENOENT.new.class
p StandardError.new(:sym).message
begin
  raise IndexError
rescue => err
  p err, err.message
end
