# §3.1: Integer, Float and Symbol cannot get singleton methods.
[1, :sym, 1.5, 2**70].each do |v|
  begin
    v.define_singleton_method(:x) { 1 }
    p [v, :ok]
  rescue TypeError => e
    p [v, e.class]
  end
end
s = "ok"
s.define_singleton_method(:x) { 2 }
p s.x
