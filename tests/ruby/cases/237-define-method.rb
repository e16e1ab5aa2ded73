# §3.4: define_method: closure over the defining scope, lambda arity,
# self is the receiver at call time, return returns from the method.
class Calc
  factor = 3
  define_method(:scale) { |x| x * factor }
  %w[one two].each_with_index do |name, i|
    define_method("#{name}_plus") { |x = 0| i + 1 + x }
  end
  define_method(:me) { self.class }
  define_method(:early) do |x|
    return :neg if x < 0
    :pos
  end
end
c = Calc.new
p c.scale(2), c.one_plus, c.two_plus(10), c.me, c.early(-1), c.early(1)
begin
  c.scale
rescue ArgumentError => e
  p e.class
end
