# §6 String: include? start_with? end_with?
s = "milter-manager.conf"
p s.include?("manager"), s.include?("x")
p s.start_with?("milter"), s.start_with?("x", "mil"), s.start_with?(/m.l/)
p s.end_with?(".conf"), s.end_with?(".rb", ".conf"), s.end_with?("x")
p "".start_with?(""), "a".end_with?("")
p s.start_with?(/manager/)
