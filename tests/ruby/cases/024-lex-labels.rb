# §1: labels `name:` and `"name":` in calls and hash literals are Symbol keys.
def opts(*args)
  args
end
p opts(a: 1, "b": 2, "c d": 3)
p({ x: 1, "y": 2 })
p opts("k" => 1, :s => 2, t: 3)
h = { if: 1, end: 2, class: 3 }
p h
p h[:class]
p opts(1, key: :val)
