# §6: freeze on Arrays and Hashes; mutation raises FrozenError.
list = [1, 2].freeze
h = { a: 1 }.freeze
[-> { list << 3 }, -> { h[:b] = 2 }, -> { list.pop }, -> { h.delete(:a) }].each do |l|
  begin
    l.call
    p :mutated
  rescue FrozenError => e
    p e.class, e.is_a?(RuntimeError)
  end
end
p list.frozen?, list.map { |x| x * 2 }.frozen?, h.merge(b: 2)
