# §3.3: return in a block returns from the defining method; in a lambda it
# returns from the lambda only.
def find_first_even(list)
  list.each do |x|
    return x if x.even?
  end
  :none
end
p find_first_even([1, 3, 4, 6]), find_first_even([1])
def lambda_return
  l = lambda { return :from_lambda }
  v = l.call
  [:after_lambda, v]
end
p lambda_return
def proc_return
  pr = proc { return :from_proc }
  pr.call
  :not_reached
end
p proc_return
