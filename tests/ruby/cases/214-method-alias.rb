# §3.4: alias and alias_method; the alias keeps the old body.
class Greeter
  def hello
    "hello"
  end
  alias hi hello
  alias_method :hey, :hello
  alias :yo :hello
  def hello
    "HELLO"
  end
end
g = Greeter.new
p g.hello, g.hi, g.hey, g.yo
