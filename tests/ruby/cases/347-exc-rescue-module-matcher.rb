# §3.5: rescue classes are matched with ===, so a module with a custom ===
# works; break from a lambda returns from the lambda.
module NetworkishError
  def self.===(e)
    e.message.start_with?("net:")
  end
end
[IOError.new("net: down"), IOError.new("disk full")].each do |err|
  begin
    raise err
  rescue NetworkishError
    p [:network, err.message]
  rescue IOError
    p [:other, err.message]
  end
end
l = lambda { break :from_break; :after }
p l.call
