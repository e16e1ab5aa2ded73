# §8.2: Time + - (Time - Time is a Float), <=>, ==, localtime (TZ=UTC).
a = Time.at(1000).utc
b = a + 60
p b.to_i, (b - a), (b - a).class, (a - 30).to_i
p a <=> b, b <=> a, a == Time.at(1000), a < b
p Time.at(0).localtime.to_s, Time.at(0).to_s, Time.at(3600).hour
now = Time.now
p now.is_a?(Time), now.year >= 2024, (Time.now - now) >= 0
p [Time.at(5), Time.at(1)].min.to_i
