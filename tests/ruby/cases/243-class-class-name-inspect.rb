# §7.1: Class/Module inspect is the name; singleton class inspect.
module M; class K; end; end
p M, M::K, String, Comparable, M::K.name
p M::K.class, M.class, Class.class
o = "s"
p o.singleton_class.inspect.start_with?("#<Class:")
p "x".singleton_class.to_s.include?("String")
p nil.class, NilClass
