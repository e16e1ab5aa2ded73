# §1: `=begin`/`=end` blocks at line start, `#` comments, magic comments.
# -*- coding: utf-8 -*-
# frozen_string_literal: false
p 1
=begin
p 2
this is not code
=end
p 3 # trailing comment
p "# not a comment"
s = "x"
s << "y"
p s
