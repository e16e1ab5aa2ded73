# §3.5: ensure runs on break, next, return and exceptions.
log = []
[1, 2, 3].each do |i|
  begin
    next if i == 1
    break if i == 3
    log << i
  ensure
    log << "e#{i}"
  end
end
p log
def ret
  return :returned
ensure
  puts "ensure on return"
end
p ret
begin
  begin
    raise "inner"
  ensure
    puts "ensure on raise"
  end
rescue => e
  p e.message
end
