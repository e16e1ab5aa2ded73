# §6 Kernel: __method__ and __dir__.
def whoami
  __method__
end
p whoami
p __method__
p __dir__ == File.dirname(File.expand_path(__FILE__))
class K
  def m
    [1].map { __method__ }
  end
end
p K.new.m
