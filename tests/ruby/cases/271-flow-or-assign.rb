# §3.6: ||= declares a local, assigns only when nil/false; &&= assigns only
# when truthy.
p defined?(fresh)
fresh ||= :set
p fresh
fresh ||= :again
p fresh
f = false
f ||= :from_false
p f
n = nil
n &&= :never
p n
t = 1
t &&= t + 1
p t
list = nil
(list ||= []) << 1
p list
