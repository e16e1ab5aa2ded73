# §2.5: the heredoc body starts on the next line; the rest of the line is
# lexed afterwards (method calls, two heredocs on one line, arguments).
def pair(x, y)
  [x, y]
end
lines = <<~A.lines.map(&:chomp)
  one
  two
A
p lines
p pair(<<~X, <<~Y)
  first
X
  second
Y
s = <<~B + "tail"
  head
B
p s
