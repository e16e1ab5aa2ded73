# §2.2: `*`/`&` prefix after a method name with a space before and none
# after; binary otherwise.
def show(*args, &blk)
  [args, blk ? blk.call : nil]
end
arr = [1, 2]
p show *arr
p show(*arr, 3)
x = 3
p x *2
p x * 2
pr = proc { :blk }
p show &pr
p 6 & 3
p(x &1)
