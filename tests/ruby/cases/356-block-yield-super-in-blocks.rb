# yield, block_given? and super used inside blocks refer to the enclosing
# method; define_method and attr_accessor return values.
class Base
  def items(*args)
    args.map { |a| a * 2 }
  end
end
class Kid < Base
  def items(*args)
    [1].map { super }.first
  end
  def each_twice
    [1, 2].each { |x| yield x, block_given? }
  end
end
p Kid.new.items(1, 2)
Kid.new.each_twice { |x, given| p [x, given] }
class Kid
  p(define_method(:dm) { :dm })
  p attr_accessor(:a1)
end
