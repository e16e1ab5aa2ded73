# §6 MatchData: [] captures named_captures names pre_match post_match to_a
# to_s begin end offset values_at size
m = /(\w+)@(?<host>[\w.]+)?/.match("mail: bob@ex.org!")
p m[0], m[1], m[:host], m["host"], m[-1]
m = /(\w+)@([\w.]+)(x)?/.match("mail: bob@ex.org!")
p m.captures, m.to_a, m.to_s, m.size
p m.pre_match, m.post_match
p m.begin(0), m.end(0), m.begin(2), m.offset(1), m.offset(3)
p m.values_at(1, 2), m[1..2]
n = /(?<a>\d)(?<b>\d)?/.match("é1")
p n.named_captures, n.names, n.begin(:a), n.offset(0)
