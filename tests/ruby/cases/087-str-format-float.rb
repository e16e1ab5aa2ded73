# §6 format: %f %e %E %g %G with precision and flags.
p format("%f", 3.14159), format("%.2f", 2.5), format("%.0f", 2.5)
p format("%8.3f|%-8.1f|%08.2f", 3.14159, 2.5, -1.5)
p format("%e", 12345.678), format("%.2E", 0.000123)
p format("%g", 1234567.0), format("%g", 0.0001), format("%G", 1e-10)
p format("%g", 100.0), format("%.3g", 3.14159), format("%#.3g", 1.0)
p format("%+.1f", 1.25), format("% .1f", 1.0)
p format("%f", 1)
p format("%.1f", 0.25), format("%.0f", 0.5), format("%.0f", 1.5)
