# §4: case/when with regexps sets $~; several patterns per `when`, as in the
# trust.conf domain list parser.
lines = ["# comment", "   ", "/example\\.com$/", "Gmail.COM\n"]
lines.each do |line|
  case line
  when /^\s*#/, /^\s*$/
    puts "skip"
  when /^\s*\/(.+)\/\s*$/
    re = Regexp.new($1, Regexp::IGNORECASE)
    p re, re === "mail.EXAMPLE.com"
  else
    p line.strip.downcase
  end
end
