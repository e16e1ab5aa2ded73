# §4: hash literals: empty, rocket pairs, labels, trailing comma, nesting.
p({})
p({ :a => 1 })
p({ a: 1, "b" => nil, 3 => [4], nil => true, 1.5 => :f })
h = {
  key: "v",  # comment
  nested: { x: [1, { y: 2 }] },
}
p h
p h[:nested][:x][1][:y]
p({ "a b": 1, a?: 2 })
