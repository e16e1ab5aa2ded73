# §3.4: extend adds module methods to one object.
module Loud
  def shout
    to_s.upcase
  end
end
s = "quiet"
s.extend(Loud)
p s.shout, s.is_a?(Loud)
t = "other"
p t.respond_to?(:shout)
o = Object.new
o.extend(Loud)
def o.to_s
  "obj"
end
p o.shout
