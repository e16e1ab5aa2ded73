# §1: `\r\n` is accepted as a newline.
a = 1
b = [a,
  2]
if a == 1
  p :crlf_ok
end
p b
s = "x
y"
p s.size
