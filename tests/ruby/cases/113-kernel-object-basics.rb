# §6 Object: == != equal? eql? hash ! nil? is_a? kind_of? instance_of? class
o = Object.new
q = Object.new
p o == o, o == q, o != q, o.equal?(o), o.eql?(q)
p o.hash == o.hash
p !o, o.nil?, nil.nil?
p 1.is_a?(Integer), 1.is_a?(Comparable), 1.kind_of?(Numeric), 1.instance_of?(Numeric)
p "s".class, :s.class, nil.class, true.class, 1.5.class, [].class, {}.class
p (1..2).class, /x/.class, o.class
p Integer === 3, String === 3
