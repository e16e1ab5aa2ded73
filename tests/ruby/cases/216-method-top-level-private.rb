# §11: a top-level def is a private method of Object, callable anywhere
# without a receiver, not with one.
def util(x)
  x * 2
end
class User
  def run
    util(21)
  end
end
p User.new.run
begin
  User.new.util(1)
rescue NoMethodError => e
  p e.class
end
p 1.send(:util, 4)
