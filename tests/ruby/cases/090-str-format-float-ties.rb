# §6 format %f and Float#round: Ruby rounds the shortest decimal form of the
# float (2.675 prints as 2.68 although its binary value is below 2.675).
p format("%.2f", 2.675)
p format("%.2f", 2.665)
p format("%.1f", 0.35)
p format("%.1f", 0.05)
p format("%.3f", 1.0005)
p 2.675.round(2), 1.25.round(1), 1.35.round(1)
p 0.125.round(2), (-0.125).round(2)
