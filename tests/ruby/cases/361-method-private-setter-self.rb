# §3.1: a private setter may be called with `self.`; a private attr_reader
# is callable without a receiver; public_send of the setter fails.
class Conf
  def initialize
    self.level = 3
  end
  def bump
    self.level = level + 1
    level
  end
  private
  attr_accessor :level
end
c = Conf.new
p c.bump, c.bump
begin
  c.public_send(:level=, 9)
rescue NoMethodError => e
  p e.class
end
p c.send(:level)
