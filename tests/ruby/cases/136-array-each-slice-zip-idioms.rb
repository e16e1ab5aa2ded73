# Idioms from upstream configs: pairs from zip, each_slice, rev address.
address = "192.168.10.5"
rev = address.split(".").reverse.join(".")
p rev
p "#{rev}.zen.spamhaus.org"
names = %w[a b c]
values = [1, 2, 3]
p names.zip(values).to_h
(1..7).to_a.each_slice(3) { |chunk| p chunk.sum }
