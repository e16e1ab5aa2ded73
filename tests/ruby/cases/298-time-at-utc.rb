# §8.2: Time.at(n).utc and its deterministic parts.
t = Time.at(0).utc
p t
puts t.to_s, t.inspect
p t.year, t.month, t.day, t.hour, t.min, t.sec, t.usec, t.wday, t.yday
t2 = Time.at(1_714_564_800).utc
p t2, t2.to_i, t2.to_f
p Time.at(1.5).utc.usec, Time.at(86_400 * 366).utc.yday
