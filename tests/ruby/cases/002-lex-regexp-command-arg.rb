# §2.2: `/` after a method name (ARG state) with a space before and none
# after starts a regexp argument; with spaces on both sides it divides.
def source_of(re)
  re.source
end

def ten
  10
end

p(source_of /ab+c/)
puts source_of /\A[a-z]+\z/
p ten / 2
p ten/2
p(ten / 5 / 2)
