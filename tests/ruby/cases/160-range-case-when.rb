# §4: Range#=== in case/when (hour of day, sizes).
def bucket(n)
  case n
  when 0 then :zero
  when 1..9 then :small
  when 10...100 then :medium
  else :large
  end
end
p [0, 5, 9, 10, 99, 100].map { |n| bucket(n) }
hour = 12
p (8..19).include?(hour) ? :business : :night
p (8..19) === 20
