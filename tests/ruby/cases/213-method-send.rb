# §3.1: send/__send__ ignore visibility, public_send respects it.
class Box
  def open(x = nil)
    "open #{x}"
  end
  private
  def secret
    :secret
  end
end
b = Box.new
p b.send(:open, 1), b.__send__("open"), b.send(:secret), b.public_send(:open, 2)
begin
  b.public_send(:secret)
rescue NoMethodError => e
  p e.class
end
p 5.send(:+, 3), [3, 1].send(:sort), "a".public_send(:upcase)
p b.send(:open) { :ignored_block }
