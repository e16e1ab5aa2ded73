# §6 Kernel#require_relative loads a file next to this one, once.
p require_relative("support/greeting")
p require_relative("support/greeting")
p Greeting.hello("world")
p GREETING_LOADS
