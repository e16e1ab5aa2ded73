# §3.6: op-assign on ivars, globals, index targets and constants' contents.
@count ||= 0
@count += 2
$total = 1
$total *= 10
h = { n: 1 }
h[:n] += 1
h[:list] ||= []
h[:list] += [:a]
arr = [1, 2]
arr[0] -= 5
arr[5] ||= :far
LIMITS = { max: 1 }
LIMITS[:max] += 1
p @count, $total, h, arr, LIMITS
@dns ||= {}
@dns[:nameserver] ||= []
@dns[:nameserver] += ["8.8.8.8", "8.8.4.4"]
p @dns
