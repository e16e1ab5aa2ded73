# §2.3: more block-binding cases: recv.cmd arg do, do after a modifier,
# blocks inside parentheses, lambda/Thread.new do.
def foo(*args)
  "foo(#{args.join(",")}) block=#{block_given?}"
end
def bar
  block_given? ? "bar+block" : "bar"
end
r = foo bar do 1 end if true
p r
p foo(bar do 1 end)
p foo(bar, bar) { 1 }
out = []
[1, 2, 3, 4].each_slice 2 do |s| out << s.sum end
p out
l = lambda do |x| x * 2 end
p l.call(4)
t = Thread.new do :threaded end
p t.value
