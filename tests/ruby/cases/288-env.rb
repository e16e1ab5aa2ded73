# §8.1: ENV [] fetch key? []= delete to_h keys each (values are Strings).
p ENV["RCASE_GREETING"], ENV["RCASE_NOT_SET"]
p ENV.fetch("RCASE_GREETING", "d"), ENV.fetch("RCASE_NOT_SET", "dflt")
p ENV.key?("RCASE_GREETING"), ENV.has_key?("RCASE_NOT_SET"), ENV.include?("RCASE_TMPDIR")
ENV["RCASE_NEW"] = "v1"
p ENV["RCASE_NEW"], ENV.to_h["RCASE_NEW"], ENV.keys.include?("RCASE_NEW")
p ENV.delete("RCASE_NEW"), ENV["RCASE_NEW"]
n = 0
ENV.each { |k, v| n += 1 if k.start_with?("RCASE_") && v.is_a?(String) }
p n
p (ENV["RCASE_PORT"] || "10025").to_i
