# §2.4: a regexp literal with named groups on the left of =~ creates locals.
if /(?<user>[^@]+)@(?<domain>.+)/ =~ "alice@example.com"
  p user, domain
end
/(?<num>\d+)/ =~ "no digits"
p num
re = /(?<other>x)/
re =~ "x"
p defined?(other)
p $~[:other]
