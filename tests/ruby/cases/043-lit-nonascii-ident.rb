# §1: identifiers may contain non-ASCII letters.
café = "coffee"
p café
def größe(x)
  x * 2
end
p größe(21)
données = [1, 2]
données << 3
p données
p :ñame
