# §2.5: nested interpolation, braces and quotes inside `#{}`.
h = { "k" => "v", a: 1 }
n = 2
puts "a#{"b#{n + 1}c"}d"
puts "#{h["k"]}-#{h[:a]}"
puts "#{ {x: 1}[:x] }"
puts "#{"}"}"
puts "x#{[1, 2].map { |i| "<#{i}>" }.join}y"
puts "#{n}#{n}#{}"
puts "#{'#{not}'}"
