# §2.2: `A::meth` calls a method; `A::Const` is a constant; keywords after ::.
module Util
  VALUE = :const
  def self.slug(s)
    s.downcase
  end
  def self.value
    :method
  end
end
p Util::slug("ABC"), Util::VALUE, Util::value, Util.value
p Util::slug "XY"
p ::Util::VALUE
class Util::Inner
  def hi; :inner; end
end
p Util::Inner.new.hi
