# §6 Kernel#Integer/Float/String/Array conversions.
p Integer("42"), Integer("0x1A"), Integer("0b101"), Integer("0o17")
p Integer("017"), Integer(" 12 "), Integer("1_000"), Integer("-0x10")
p Integer(3.99), Integer(-3.99)
p Float("1.5"), Float("1e3"), Float(2), Float(" 2.5 ")
p String(12), String(nil), String(:s), String([1])
p Array(nil), Array([1]), Array("a"), Array(1..3), Array({ a: 1 })
%w[abc 1.5 0x 08].each do |bad|
  begin
    Integer(bad)
  rescue ArgumentError => e
    puts "ArgumentError for #{bad}"
  end
end
p Integer("0_7") rescue p $!.class
