# A small configuration-DSL object with setters via method_missing and
# instance_eval, in the style of the upstream loaders.
class Loader
  def initialize
    @values = {}
  end
  def method_missing(name, *args)
    key = name.to_s
    if key.end_with?("=")
      @values[key.chomp("=").to_sym] = args.first
    elsif @values.key?(name)
      @values[name]
    else
      super
    end
  end
  def respond_to_missing?(name, priv = false)
    name.to_s.end_with?("=") || @values.key?(name) || super
  end
  def to_h
    @values
  end
end
l = Loader.new
l.instance_eval do
  self.daemon = true
  self.pid_file = "/run/x.pid"
end
p l.to_h, l.daemon, l.respond_to?(:pid_file), l.respond_to?(:nope)
