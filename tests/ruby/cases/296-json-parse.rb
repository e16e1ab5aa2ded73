# §8.6: JSON.parse to Hash/Array/String/Integer/Float/true/false/nil.
require "json"
p JSON.parse('{"a": 1, "b": [true, false, null], "c": {"d": "e"}}')
p JSON.parse("[1, 2.5, -3e2, \"x\\u00e9\\n\", 1E2]")
p JSON.parse('"just a string"'), JSON.parse("42"), JSON.parse("null")
p JSON.parse('{"k": 1, "k": 2}')
begin
  JSON.parse("{bad json}")
rescue JSON::ParserError => e
  p e.class, e.is_a?(StandardError)
end
