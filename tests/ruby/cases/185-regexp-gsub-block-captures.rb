# §6: gsub block sees $1 and $~ of each match; sub with hash.
p "a1b22".gsub(/([a-z])(\d+)/) { "#{$2}#{$1}" }
p "x=1, y=2".gsub(/(\w)=(\d)/) { |m| "#{m}(#{$~[1]})" }
p "hello".sub(/l(?<rest>.*)/) { $~[:rest].upcase }
p "2+3".sub(/(\d)\+(\d)/) { ($1.to_i + $2.to_i).to_s }
p "cat".sub(/a/, "a" => "u")
