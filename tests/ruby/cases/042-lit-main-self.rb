# §11: top-level self is `main`; top-level def is a private method of Object.
p self
puts self.to_s
p self.inspect
def helper
  :helped
end
p helper
p Object.new.respond_to?(:helper)
p Object.new.respond_to?(:helper, true)
p ARGV.size
p ARGV[0] == ENV["RCASE_TMPDIR"]
