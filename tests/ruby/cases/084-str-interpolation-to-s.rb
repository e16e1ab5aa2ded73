# §4: interpolation calls to_s on the value.
class Temp
  def initialize(d)
    @d = d
  end

  def to_s
    "#{@d} degrees"
  end
end
p "#{nil}|#{true}|#{1.5}|#{:sym}|#{[1, nil]}|#{{ a: 1 }}"
puts "now #{Temp.new(20)}"
puts "range #{1..3} float #{1e20} #{2.0}"
x = "#{1}" "#{2}"
p x
