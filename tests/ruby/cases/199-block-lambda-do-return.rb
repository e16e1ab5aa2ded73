# sendmail-compatible.conf idiom: lambda do |x| ... return nil if ... end,
# with a cache Hash and ||=.
cache = {}
lookups = 0
resolve = lambda do |ip|
  return nil if ip.nil?
  lookups += 1
  name = (cache[ip] ||= "host-#{ip.tr(".", "-")}")
  cache.clear if cache.size >= 3
  name
end
p resolve.call(nil)
p resolve.call("10.0.0.1"), resolve.call("10.0.0.1")
p resolve.call("10.0.0.2"), resolve.call("10.0.0.3"), cache
p lookups
