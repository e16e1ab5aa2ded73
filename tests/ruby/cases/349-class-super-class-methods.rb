# super in class methods and in methods reached through a module included in
# a subclass; calling another class's initialize through new.
class Base
  def self.create(*args)
    "Base.create#{args.inspect}"
  end
  def tag
    "base"
  end
end
module Tagging
  def tag
    "tagged(#{super})"
  end
end
class Derived < Base
  include Tagging
  def self.create(x)
    super(x, :extra) + "+derived"
  end
  def tag
    "derived/" + super
  end
end
p Derived.create(1), Derived.new.tag, Base.new.tag
