# §8.6: JSON.generate / to_json.
require "json"
p JSON.generate({ "a" => 1, :b => [1, 2.5, nil, true], "c" => { "d" => "e" } })
p JSON.generate([]), JSON.generate({}), JSON.generate("q\"uote\\ \n\t/é\u0001")
p [1, "two", nil].to_json, { k: :sym }.to_json, "s".to_json, 1.5.to_json, nil.to_json
p JSON.generate([1e20, 0.1, -0.0, 100.0])
data = { "name" => "milter", "list" => [1, { "x" => nil }] }
p JSON.parse(JSON.generate(data)) == data
