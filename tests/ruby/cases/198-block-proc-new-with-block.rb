# §3.3: Proc.new / proc with an explicit block; a method whose default
# parameter is Proc.new is called with an argument (the blockless form
# is a [deviation] and is not compared).
pr = Proc.new { |x| "got #{x}" }
p pr.call(1), pr.lambda?
pr2 = proc { |a, b| [a, b] }
p pr2.call(1)
whitelist = []
def add_whitelist(list, host_matcher = Proc.new)
  list << host_matcher
end
add_whitelist(whitelist, /\.example\.com\z/)
add_whitelist(whitelist, proc { |host| host.end_with?(".test") })
add_whitelist(whitelist, "exact.host")
%w[a.example.com b.test exact.host other].each do |host|
  hit = whitelist.any? do |matcher|
    matcher.respond_to?(:call) ? matcher.call(host) : matcher === host
  end
  puts "#{host}: #{hit}"
end
