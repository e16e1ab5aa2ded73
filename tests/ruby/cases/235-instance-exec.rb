# §3.4: instance_exec passes arguments and sets self.
class Point
  def initialize
    @x = 3
  end
end
pt = Point.new
p pt.instance_exec(4) { |y| @x * y }
p pt.instance_exec(1, 2) { |a, b| [a, b, @x] }
k = 10
p "abc".instance_exec { upcase + k.to_s }
