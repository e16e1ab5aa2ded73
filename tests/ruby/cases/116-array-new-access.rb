# §6 Array: new [] at fetch first last values_at slice
p Array.new, Array.new(3), Array.new(2, 0), Array.new(3) { |i| i * i }
a = [10, 20, 30, 40, 50]
p a[0], a[-1], a[9], a[1, 2], a[1..3], a[3..], a[-2..], a[5, 1], a[6, 1]
p a.at(1), a.at(-2), a.fetch(1), a.fetch(9, :dflt), a.fetch(-9) { |i| i * 2 }
p a.first, a.first(2), a.last, a.last(3), [].first, [].last(2)
p a.values_at(0, 2, 9), a.slice(1, 2), a.slice(4)
begin
  a.fetch(9)
rescue IndexError => e
  p e.class
end
