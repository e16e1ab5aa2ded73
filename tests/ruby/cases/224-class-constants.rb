# §3.1: constants: lexical lookup, inheritance, Klass::CONST, ::TOP.
TOP = :top
module Outer
  LIMIT = 10
  class Inner
    def limit
      LIMIT
    end
    def top
      [TOP, ::TOP]
    end
  end
end
class Sub < Outer::Inner
  LOCAL = :sub_local
end
p Outer::LIMIT, Outer::Inner.new.limit, Outer::Inner.new.top
p Sub::LOCAL, Sub.new.limit
p Outer::Inner.name, Sub.name, Outer.name
begin
  Outer::MISSING
rescue NameError => e
  p e.class
end
