# §7.1: user-defined to_s is used by puts and interpolation, inspect by p.
class Temp
  def initialize(v)
    @v = v
  end
  def to_s
    "#{@v}C"
  end
  def inspect
    "#<Temp #{@v}>"
  end
end
t = Temp.new(21)
puts t
puts "it is #{t}"
p t
p [t, t]
p({ t: t })
puts [t].to_s
