# §3.3: lambdas check arity (ArgumentError) and do not auto-splat.
l = lambda { |a, b| [a, b] }
p l.call(1, 2)
[[1], [[1, 2]], [1, 2, 3]].each do |args|
  begin
    l.call(*args)
  rescue ArgumentError => e
    puts "ArgumentError: #{e.message}"
  end
end
st = ->(x) { x }
p st.call([1, 2])
opt = ->(a, b = :dflt) { [a, b] }
p opt.(1), opt[1, 2]
