# §3.1: private with no arguments, private :name, calling with self. only for
# setters; respond_to? with include_all.
class Account
  def initialize
    self.balance = 10
  end
  def show
    "#{balance} #{helper}"
  end
  def public_one; :pub; end
  private
  attr_accessor :balance
  def helper
    :helped
  end
  public
  def after_public; :visible; end
  def hidden; :h; end
  private :hidden
end
a = Account.new
p a.show, a.after_public, a.public_one
[:helper, :hidden, :balance].each do |m|
  begin
    a.public_send(m)
  rescue NoMethodError => e
    p [m, e.class]
  end
end
p a.respond_to?(:helper), a.respond_to?(:helper, true)
