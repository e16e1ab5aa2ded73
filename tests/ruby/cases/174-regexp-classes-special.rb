# §7.3: `-` at odd places in classes, `{,n}`, `{` not forming a quantifier,
# negated escapes inside classes.
p "a-z".scan(/[a-]/), "-az".scan(/[-a]/), "b-y".scan(/[a-c-]/)
p "aaaa"[/a{,2}/], "aaaa"[/a{2,}/], "aaaa"[/a{1,3}/], "aaaa"[/a{2}/]
p "a{b" =~ /a{b/, "x{1" =~ /x{1/, "{}" =~ /{}/, "a{,}" =~ /a{,}/
p "a1 b" =~ /[\W\d]/, "ab_1 ".scan(/[\W\d]/), "ab 1".scan(/[^\W\d]/)
p "x]y" =~ /[\]]/, "x^y" =~ /[\^]/, "x^y" =~ /[a^]/
p "tab\there".scan(/[\s\d]/)
