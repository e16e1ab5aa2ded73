# §3.1: def obj.name, define_singleton_method, singleton_class.
a = "text"
def a.tag
  "<#{self}>"
end
p a.tag
b = Object.new
b.define_singleton_method(:hello) { |who = "you"| "hello #{who}" }
p b.hello, b.hello("me")
c = Object.new
p c.respond_to?(:hello), b.respond_to?(:hello)
p b.singleton_class.equal?(b.singleton_class)
class << b
  def bye
    "bye from #{hello}"
  end
end
p b.bye
