# §1: symbol literals including operators and quoted symbols.
p :name, :Name, :name?, :name=, :name!
p :+, :-, :*, :/, :%, :**, :==, :===, :<=>, :=~, :!~
p :[], :[]=, :<, :<=, :>, :>=, :<<, :>>, :!, :!=, :&, :|, :^, :~
p :+@, :-@
x = 4
p :"a b", :"quoted#{x}", :'single'
p :"9x", :"a?b", :"", :"=", :"foo?=", :"@x", :"$y", :"@@z"
p %i[a b].map(&:class)
