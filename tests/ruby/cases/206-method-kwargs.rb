# §3.3: keyword arguments: required, optional, **opts; missing and unknown
# keyword errors (messages identical in Ruby 3.1 and 3.4).
def conn(host, port: 25, tls: false, **opts)
  [host, port, tls, opts]
end
p conn("mx"), conn("mx", tls: true, port: 587), conn("mx", retry: 3)
def req(name:, level: 1)
  "#{name}:#{level}"
end
p req(name: "x"), req(level: 2, name: "y")
begin
  req
rescue ArgumentError => e
  p e.message
end
begin
  req(name: "x", bogus: 1)
rescue ArgumentError => e
  p e.message
end
h = { name: "splat" }
p req(**h)
