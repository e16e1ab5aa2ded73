# A postconf/master.cf style parser (regexp \A(\w+)\s*=\s*(.+)\s*\z, fields).
output = "default_process_limit = 100\nconfig_directory = /etc/postfix\nbad line\n"
conf = {}
output.each_line do |line|
  conf[$1] = $2 if /\A(\w+)\s*=\s*(.+)\s*\z/ =~ line.chomp
end
p conf
master = "# comment\nsmtp      inet  n       -       y       -       -       smtpd\npickup unix n - y 60 1 pickup\n"
line = master.lines.find { |l| !l.start_with?("#") && l.split[0] == "smtp" }
maxproc = line.split[6]
limit = maxproc == "-" ? conf["default_process_limit"].to_i : maxproc.to_i
p maxproc, limit, (limit * 0.75).floor
