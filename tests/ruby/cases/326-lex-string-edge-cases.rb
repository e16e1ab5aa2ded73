# §1: strings with `#` not followed by `{`/`$`/`@`, escaped quotes, braces.
p "# hash", "a#b", "{}", "#", "\#{x}", "a\\#{1}"
p 'it\'s', "say \"hi\"", "back\\slash"
p "tab\there".split("\t")
p "#{"nested \"quote\""}"
p "brace } alone", "x#{1}}"
p "\u00e9" == "é", "\e".ord, "\s" == " "
