# §6: NilClass, TrueClass, FalseClass methods.
p nil.to_s, nil.to_a, nil.to_i, nil.to_f, nil.inspect
p nil & true, nil | 1, nil ^ nil, nil ^ 1
p true.to_s, false.to_s
p true & 3, true & nil, false | 0, false | nil
p true ^ true, true ^ false, false ^ 1
p !true, !false, !nil
p nil.nil?, false.nil?
p nil.to_a.empty?
