# The S25R blacklist patterns of s25r.conf, matched with `===` as in
# `matcher === host`.
blacklist = [
  "unknown",
  /\A\[.+\]\z/,
  /\A[^.]*\d[^\d.]+\d.*\./,
  /\A[^.]*\d{5}/,
  /\A(?:[^.]+\.)?\d[^.]*\.[^.]+\..+\.[a-z]/i,
  /\A[^.]*\d\.[^.]*\d-\d/,
  /\A[^.]*\d\.[^.]*\d\.[^.]+\..+\./,
  /\A(?:dhcp|dialup|ppp|[achrsvx]?dsl)[^.]*\d/i,
]
hosts = %w[unknown [192.0.2.1] p1234-ipad.example.jp mail.example.com
           host12345.example.net DSL-12.isp.example dhcp9.isp.net
           a1b2.x.example.net mx.google.com 1.2.example.ne.jp]
hosts.each do |host|
  hit = blacklist.find_index { |m| m === host }
  puts "#{host}: #{hit.inspect}"
end
