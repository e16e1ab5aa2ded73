# §3.3: default parameters are evaluated at call time, left to right, and
# may use earlier parameters.
def greet(name, greeting = "Hello", punct = greeting.end_with?("!") ? "" : ".")
  "#{greeting}, #{name}#{punct}"
end
p greet("a"), greet("b", "Hi!"), greet("c", "Yo", "?")
def stamp(list = [])
  list << :x
  list
end
p stamp, stamp
def opt_mid(a, b = 2, c)
  [a, b, c]
end
p opt_mid(1, 3), opt_mid(1, 5, 3)
