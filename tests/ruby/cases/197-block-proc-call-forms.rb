# §6 Proc: call () [] yield === to_proc curry
sq = proc { |x| x * x }
p sq.call(3), sq.(4), sq[5], sq.yield(6), sq === 7
p sq.to_proc.equal?(sq)
add = ->(a, b, c) { a + b + c }
p add.curry[1][2][3], add.curry.(1).(2, 3)
even = :even?.to_proc
case 4
when even then p :even_via_proc
end
is_big = ->(n) { n > 100 }
p [5, 500].map { |n| case n when is_big then :big else :small end }
