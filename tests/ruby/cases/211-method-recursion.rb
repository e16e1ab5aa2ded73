# Recursion and mutual recursion.
def fact(n)
  n <= 1 ? 1 : n * fact(n - 1)
end
def fib(n)
  n < 2 ? n : fib(n - 1) + fib(n - 2)
end
def ev?(n)
  n.zero? || od?(n - 1)
end
def od?(n)
  !n.zero? && ev?(n - 1)
end
p fact(20), fact(30), fib(20)
p ev?(10), od?(7)
