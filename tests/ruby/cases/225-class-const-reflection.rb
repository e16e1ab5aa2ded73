# §3.4: const_defined? const_get const_set (as in dnsbl.conf).
p Thread.const_defined?(:Queue), Object.const_defined?(:String)
p Object.const_defined?(:NoSuchThing)
module Conf; end
Conf.const_set(:TIMEOUT, 5)
p Conf::TIMEOUT, Conf.const_get(:TIMEOUT), Object.const_get(:Conf) == Conf
p Thread::Queue == Queue
unless Thread.const_defined?(:Queue)
  class Thread
    Queue = ::Queue
  end
end
p Thread::Queue.new.class == Queue
