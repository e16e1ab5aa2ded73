# §7.1: Hash#inspect/to_s in Ruby 3.1 style.
h = { :a => 1, "b" => nil, 3 => [4, { 5 => :six }], :"x y" => 1.0, nil => true }
p h
puts h.to_s
puts h.inspect
p({})
p({ [1] => { {} => "" } })
puts "#{{ k: :v }}"
