# §4: `rescue Exception => _` and rescuing a list with a variable, as in
# dnsbl.conf; rescue with a class held in a variable/array.
answers = []
%w[ok fail ok].each do |mode|
  begin
    raise IOError if mode == "fail"
    answers.push(true)
  rescue Exception => _
    answers.push(false)
  end
end
p answers
handled = [ZeroDivisionError, TypeError]
begin
  1 + nil
rescue *handled => e
  p e.class
end
