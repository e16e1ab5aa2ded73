# §6 Object: tap then itself freeze frozen? dup clone === =~ object_id
a = [1, 2].tap { |x| x.push(3) }
p a
p 5.then { |x| x * 2 }, 5.itself
s = "str".freeze
p s.frozen?, s.dup.frozen?, s.clone.frozen?
o = Object.new
p o === o, o === Object.new
p(nil =~ /a/)
p o.object_id == o.object_id, o.object_id == Object.new.object_id
p 1.frozen?, :a.frozen?, nil.frozen?
