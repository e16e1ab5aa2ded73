# String building with <<, format, ljust/rjust and join, as a report.
rows = [["clamav-milter", 12, 0.5], ["spamass-milter", 3, 12.25], ["x", 0, 100.0]]
out = +""
out << format("%-16s|%5s|%8s\n", "name", "n", "ratio")
rows.each do |name, n, ratio|
  out << name.ljust(16) << "|" << n.to_s.rjust(5) << "|" << format("%8.2f", ratio) << "\n"
end
out << "-" * 31 << "\n"
puts out
p out.lines.size, out.bytesize
