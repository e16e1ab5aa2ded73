# §1: undef removes a method; __ENCODING__; `!~`.
class Tool
  def a; :a; end
  def b; :b; end
  undef b
end
t = Tool.new
p t.a, t.respond_to?(:b)
begin
  t.b
rescue NoMethodError => e
  p e.class
end
p __ENCODING__ == Encoding::UTF_8
p "abc" !~ /z/, "abc" !~ /b/
