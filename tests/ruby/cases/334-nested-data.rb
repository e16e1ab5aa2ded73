# Nested data structures: dig, each over nested pairs, map/select chains.
data = {
  "milters" => [
    { "name" => "clamav", "conditions" => ["S25R"], "enabled" => true },
    { "name" => "opendkim", "conditions" => [], "enabled" => false },
  ],
}
names = data["milters"].select { |m| m["enabled"] }.map { |m| m["name"] }
p names
p data.dig("milters", 0, "conditions", 0), data.dig("milters", 5, "name")
counts = data["milters"].to_h { |m| [m["name"], m["conditions"].size] }
p counts
p data["milters"].sum { |m| m["conditions"].size }
p data["milters"].map { |m| m.keys.sort }.uniq
