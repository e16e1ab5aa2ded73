# s25r.conf whitelist suffix patterns and restrict-accounts' <address> strip.
whitelist = [/\.google\.com\z/, /\.obsmtp\.com\z/, /\.slack\.com\z/]
%w[mail-a.google.com google.com.evil x.slack.com].each do |h|
  p whitelist.any? { |m| m === h }
end
["<user@example.com>", "bare@example.com", "<>"].each do |recipient|
  if /\A<(.+)>\z/ =~ recipient
    address = $1
  else
    address = recipient
  end
  p address
end
