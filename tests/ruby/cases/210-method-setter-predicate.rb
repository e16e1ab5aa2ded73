# §3.3: def name=(v) (the assignment evaluates to v), predicates and bangs.
class Cfg
  attr_reader :mode
  def mode=(value)
    @mode = value.to_s.upcase
    :ignored_return
  end
  def enabled?
    !@mode.nil?
  end
  def reset!
    @mode = nil
    self
  end
end
c = Cfg.new
p c.enabled?
p(c.mode = :strict)
p c.mode, c.enabled?, c.reset!.enabled?
