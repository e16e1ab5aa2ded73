# §3.5: raise Klass, raise Klass.new, raise obj; exception with no message.
[-> { raise ArgumentError },
 -> { raise ArgumentError.new },
 -> { raise ArgumentError.new("m") },
 -> { raise ArgumentError, "n" },
 -> { raise "plain" }].each do |l|
  begin
    l.call
  rescue => e
    p [e.class, e.message]
  end
end
begin
  raise 42
rescue TypeError => e
  p e.class
end
