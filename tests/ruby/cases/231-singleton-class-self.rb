# §3.4: `singleton_class = class << self; self; end` then
# singleton_class.send(:define_method, :name) { obj } as in dnsbl.conf.
dnsbl = Object.new
def dnsbl.listed?(a)
  a.start_with?("127.")
end
singleton_class = class << self; self; end
singleton_class.send(:define_method, :dnsbl) do
  dnsbl
end
p dnsbl.equal?(dnsbl)
p self.dnsbl.listed?("127.0.0.2"), dnsbl.listed?("10.0.0.1")
p singleton_class == self.singleton_class
def check
  dnsbl.listed?("127.1.1.1")
end
p check
