# §8.9: Shellwords.escape / shellescape / join.
require "shellwords"
p Shellwords.escape(""), Shellwords.escape("plain-file_1.conf")
p Shellwords.escape("it's here"), Shellwords.escape("a\nb"), Shellwords.escape("é")
p Shellwords.escape("$x;`y`|&<>()[]{}*?!~#"), "a b".shellescape
p Shellwords.join(["ls", "-l", "my file", ""]), %w[a b].shelljoin
p Shellwords.escape("user@host:/path,+=")
