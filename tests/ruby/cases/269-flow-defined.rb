# §6: defined?(x) for locals, methods, ivars, globals, constants, yield.
local = 1
@ivar = 2
$gv = 3
def meth; end
p defined?(local), defined?(meth), defined?(@ivar), defined?(@nope)
p defined?($gv), defined?(String), defined?(Nope), defined?(puts)
p defined?(nope_at_all), defined?(1 + 1), defined?(local = 2), defined?(nil)
def y?
  defined?(yield)
end
p y?, y? {}
