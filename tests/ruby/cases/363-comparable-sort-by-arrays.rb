# Sorting with Array keys (<=> element-wise), min_by/max_by with ties,
# sort with a block using <=> on Strings.
people = [["bob", 25], ["alice", 30], ["carol", 25], ["dave", 30]]
p people.sort_by { |name, age| [-age, name] }.map(&:first)
p people.min_by { |_, age| age }.first, people.max_by { |_, age| age }.first
p people.map(&:first).sort { |a, b| b <=> a }
p people.group_by(&:last).transform_values { |v| v.map(&:first) }
p people.sort_by(&:first).first
