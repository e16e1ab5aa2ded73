# §8.6 JSON: non-String keys, unicode escapes and surrogate pairs, numbers.
require "json"
p({ 1 => 2, nil => 3, sym: [:a] }.to_json)
p JSON.parse('"\ud83d\ude00 \u00e9 \u0041"'), JSON.parse('[1.0, -0, 1E+2, 10000000000000000000]')
p JSON.parse('{"a": {"b": []}}').dig("a", "b"), JSON.parse(' [ ] ')
p JSON.generate("\u2028\u00e9\x7f"), JSON.generate(1.0 / 3)
begin
  JSON.parse("")
rescue JSON::ParserError => e
  p e.class
end
