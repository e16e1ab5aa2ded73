# §1: %q, %Q and %() strings with bracket pairs and punctuation delimiters.
n = 3
p %q(single 'quoted' #{n})
p %Q(double "quoted" #{n})
p %(plain #{n} (nested) parens)
p %q{braces {nested}}
p %Q[brackets [x]]
p %q<angle>
p %q!bang!
p %Q|pipe #{n + 1}|
