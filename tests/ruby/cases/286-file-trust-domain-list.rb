# trust.conf: load a domain list file, skip comments and blank lines, turn
# /…/ lines into case-insensitive regexps, match with === / call.
path = File.join(ARGV[0], "trusted-domains.txt")
File.write(path, "# trusted\n\nGmail.com\n  /\\.example\\.(com|net)$/  \nmsn.com\n")
domains = []
File.open(path) do |file|
  file.each_line do |line|
    case line
    when /^\s*#/, /^\s*$/
      # comment or empty line
    when /^\s*\/(.+)\/\s*$/
      domains << Regexp.new($1, Regexp::IGNORECASE)
    else
      domains << line.strip.downcase
    end
  end
end
p domains
%w[gmail.com mail.EXAMPLE.net example.org MSN.com].each do |d|
  p [d, domains.any? { |m| m === d.downcase }]
end
