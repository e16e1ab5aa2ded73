# §3.3, §4: destructuring candidate pairs as in the defaults/*.conf files,
# including a third block parameter that stays nil and is passed as &blk.
def detect(name, conditions, &detector)
  "#{name}: #{conditions.inspect} block=#{detector.nil? ? "none" : "given"}"
end
candidates = [
  ["milter-greylist", ["S25R", "Trust"]],
  ["clamav-milter", []],
]
candidates.each do |candidate, conditions, spec_detector|
  puts detect(candidate, conditions, &spec_detector)
end
candidates.each { |pair| p pair.size }
