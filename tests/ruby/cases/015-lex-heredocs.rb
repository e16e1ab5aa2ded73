# §1, §2.5: heredoc forms <<ID, <<-ID, <<~ID, quoted identifiers.
n = 7
a = <<EOS
plain #{n}
EOS
b = <<-EOS
    dash #{n}
    EOS
c = <<~EOS
    squiggly #{n}
      indented
EOS
d = <<~'EOS'
  raw #{n}
EOS
e = <<~"EOS"
  quoted #{n}
EOS
p a, b, c, d, e
