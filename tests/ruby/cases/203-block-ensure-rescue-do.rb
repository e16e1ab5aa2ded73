# §3.5: do-block bodies may have rescue/else/ensure directly.
out = []
[1, 0, 2].each do |d|
  out << 10 / d
rescue ZeroDivisionError
  out << :div0
else
  out << :ok
ensure
  out << :ensure
end
p out
l = lambda do
  raise ArgumentError
rescue => e
  e.class
end
p l.call
