# §6 Regexp: =~ match match? === ~ names
re = /(\d+)-(\d+)/
p re =~ "tel 12-34", re.match("12-34")[2], re.match("none")
p re.match?("1-2"), re.match?("x"), re.match("a1-2b3-4", 3)[0]
p re === "5-6", re === "x", re === :"7-8", re === 78, re === nil
p /(?<a>x)(?<b>y)/.names, /x/.names
$_ = "find the needle"
p ~/needle/
