# §1: after `.`/`&.`/`::` a keyword is a method name.
class Kw
  def end
    "end-method"
  end

  def class_name
    self.class.name
  end
end
k = Kw.new
p k.end
p k.class
p k.class_name
p (1..4).begin
p (1..4).end
p 5.then { |x| x + 1 }
p k&.end
