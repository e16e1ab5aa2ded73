# §4: case/when with several patterns per when, empty bodies, classes,
# strings, lambdas, else; case without a subject.
def kind(x)
  case x
  when Integer, Float then :number
  when "", nil
  when /\A\d+\z/ then :digits
  when String then :string
  when ->(o) { o.respond_to?(:each) } then :enumerable
  else :other
  end
end
p [1, 2.5, "", nil, "42", "abc", [1], { a: 1 }, :s].map { |x| kind(x) }
n = 7
r = case
    when n < 5 then :low
    when n < 10 then :mid
    end
p r
p(case 1 when 2 then :x end)
