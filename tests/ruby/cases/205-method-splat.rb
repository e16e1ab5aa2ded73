# §3.3: *rest, post-required parameters and splatting arguments.
def all(*args)
  args
end
def head_tail(first, *rest, last)
  [first, rest, last]
end
p all, all(1), all(1, [2], *[3, 4])
p head_tail(1, 2), head_tail(1, 2, 3, 4)
arr = [1, 2, 3]
p head_tail(*arr), all(*arr, *arr)
p all(*nil), all(*"s")
p all(*{ a: 1 })
