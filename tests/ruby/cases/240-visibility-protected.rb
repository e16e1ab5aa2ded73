# §3.1: protected methods are callable from instances of the same class.
class Score
  def initialize(v)
    @v = v
  end
  def >(other)
    value > other.value
  end
  protected
  def value
    @v
  end
end
p Score.new(5) > Score.new(3)
begin
  Score.new(1).value
rescue NoMethodError => e
  p e.class
end
p Score.new(1).respond_to?(:value)
