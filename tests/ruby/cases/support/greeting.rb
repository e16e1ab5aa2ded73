# Loaded by 307-require-relative.rb (not a case itself: only top-level
# *.rb files of tests/ruby/cases/ are cases).
GREETING_LOADS = [:loaded]

module Greeting
  def self.hello(who)
    "hello, #{who}"
  end
end
