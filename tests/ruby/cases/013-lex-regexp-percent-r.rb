# §1: %r{...} regexps with flags; `/` needs no escape inside %r.
r = %r{/usr/(\w+)/bin}
m = r.match("/usr/local/bin")
p m[1]
p %r{ab}i.match?("AB")
p %r[a/b] =~ "xa/b"
p %r{a/b}.source
p %r(x+)m.options
p(/a\/b/ =~ "a/b")
