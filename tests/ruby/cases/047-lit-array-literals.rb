# §4: nested multi-line array literals with trailing commas and comments.
candidates = [
  [
    "milter-greylist",
    [
      "Sendmail Compatible", # a comment
      "Trust",
    ],
  ],
  ["clamav-milter", []],
]
p candidates
p []
p [1, [2, [3, []]], nil, true]
p [1, 2,].size
p [*1..3, *[4, 5]]
