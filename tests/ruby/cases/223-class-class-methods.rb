# §3.3: def self.x and class << self define class methods; class-level
# instance variables.
class Registry
  @items = []
  def self.add(x)
    @items << x
    self
  end
  class << self
    def items
      @items
    end
    attr_accessor :label
  end
end
Registry.add(1).add(2)
Registry.label = "reg"
p Registry.items, Registry.label
p Registry.respond_to?(:add), Registry.new.respond_to?(:add)
