# show-config.md §4.3: Float#to_s switches to exponent form at 1e16 and below
# 1e-4, with a two-digit exponent.
[1e15, 1e16, 123456789012345.6, 12345678901234567.0,
 1e-4, 1e-5, 0.00012345, 9.999e-05, 1e100, 1.0e-100, 5e-324,
 1.7976931348623157e308, 1e22, 1e23, 100.0, 0.1, 0.5, 1.0 / 3, 2.0 / 3,
 0.1 + 0.2, 1e2, 123e18, -1e16, -0.0, 0.0, 2.5e-5].each do |f|
  puts f.to_s
end
p 1e16, -1.5e-7
