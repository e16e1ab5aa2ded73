# §3.4: method_missing and respond_to_missing?
class Ghost
  def method_missing(name, *args, &blk)
    if name.to_s.start_with?("get_")
      "got #{name.to_s.sub("get_", "")} #{args.inspect}"
    else
      super
    end
  end
  def respond_to_missing?(name, include_private = false)
    name.to_s.start_with?("get_") || super
  end
end
g = Ghost.new
p g.get_x, g.get_y(1, 2)
p g.respond_to?(:get_z), g.respond_to?(:other)
begin
  g.other
rescue NoMethodError => e
  p e.class
end
