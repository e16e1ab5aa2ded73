# §4: `user, domain = parse(x)` as in trust.conf; chained `a = b = nil`.
def parse_envelope_from(envelope_from)
  user = domain = nil
  if /\A<(.+?)@(.+?)>\z/ =~ envelope_from
    user = $1
    domain = $2
  end
  [user, domain]
end
user, domain = parse_envelope_from("<alice@Example.COM>")
p user, domain.downcase
user, domain = parse_envelope_from("<>")
p user, domain
a = b = []
a << 1
p b
first, second = "k=v".split("=", 2)
p first, second
