# §3.2: $~ is local to the method frame; blocks share their frame's $~.
def inner
  "inner-text" =~ /(inner)/
  $1
end
"outer-text" =~ /(outer)/
p inner
p $1
["block"].each { |s| s =~ /(bl)ock/ }
p $1
def yielder
  yield
  $~
end
p yielder { "zz" =~ /z/ }
p $~[0]
