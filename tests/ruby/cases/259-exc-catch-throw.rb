# §6 Kernel: catch/throw with values, nested tags.
r = catch(:done) do
  10.times { |i| throw :done, i * 100 if i == 3 }
  :never
end
p r
p catch(:x) { 42 }
v = catch(:outer) do
  catch(:inner) do
    throw :outer, :from_inner
  end
  :not_here
end
p v
p catch { |tag| throw tag, :anon }
