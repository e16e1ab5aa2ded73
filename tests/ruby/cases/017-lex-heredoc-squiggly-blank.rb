# §2.5: <<~ removes the common indentation of non-blank lines; blank lines
# do not count; interpolated text is not re-indented.
v = "x\n  y"
t = <<~T
    a

      b
    #{v}
  c
T
p t
u = <<~U
  \tescaped tab
  end
U
p u
