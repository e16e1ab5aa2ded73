# §3.6: r.x += v calls x then x= with the receiver evaluated once; r.x ||= v.
class Milter
  attr_accessor :applicable_conditions, :fallback
  def initialize
    @applicable_conditions = []
  end
end
calls = 0
m = Milter.new
get = -> { calls += 1; m }
get.call.applicable_conditions += ["S25R"]
get.call.applicable_conditions += ["Trust"]
p m.applicable_conditions, calls
m.fallback ||= "accept"
m.fallback ||= "reject"
p m.fallback
p(m.applicable_conditions += [])
