# Modules as namespaces with module-level methods and nested classes.
module Util
  VERSION = "1.0"
  def self.slug(s)
    s.downcase.gsub(/[^a-z0-9]+/, "-")
  end
  class Error < StandardError; end
  module Deep
    def self.where
      name
    end
  end
end
p Util.slug("Hello World!"), Util::VERSION, Util::Deep.where
p Util::Error.new("x").is_a?(StandardError)
p Util.class, Util::Error.class
