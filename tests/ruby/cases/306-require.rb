# §8.10: require returns true the first time and false afterwards; unknown
# names raise LoadError (message identical in Ruby 3.1 and 3.4).
p require("json"), require("json")
p require("ipaddr"), require("shellwords"), require("resolv"), require("English")
p require("socket"), require("pathname")
p require("resolv")
begin
  require "no_such_library_here"
rescue LoadError => e
  p e.class, e.message
end
