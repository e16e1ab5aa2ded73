# §3.4: include a module: its methods, its constants, super into the module.
module Greeting
  PREFIX = "Hi"
  def greet
    "#{PREFIX} #{name}"
  end
  def name
    "module-name"
  end
end
class Person
  include Greeting
  def name
    "person(" + super + ")"
  end
end
p Person.new.greet, Person.new.is_a?(Greeting), Person.new.kind_of?(Comparable)
p Greeting === Person.new, Person::PREFIX
p Person.new.respond_to?(:greet)
