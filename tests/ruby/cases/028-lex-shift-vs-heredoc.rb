# §2.2: `<<` after a local or `)` appends; after a method name with a space
# before and none after it opens a heredoc.
def take(s)
  s.upcase
end
list = []
list << 1
list <<2
list << 3 << 4
p list
p 1 << 4
p(take <<EOS)
heredoc text
EOS
s = "a"
s <<"b"
p s
