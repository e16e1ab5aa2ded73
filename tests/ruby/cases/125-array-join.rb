# §6 Array#join: to_s of each element, nested arrays joined recursively.
p [1, 2, 3].join, [1, 2, 3].join("-"), [].join(",")
p [1, [2, [3, nil]], :s, 1.5].join(",")
p ["a", nil, "b"].join("|")
p [[1, 2], [3]].join(" ")
class Pt
  def to_s
    "pt"
  end
end
p [Pt.new, Pt.new].join("+")
