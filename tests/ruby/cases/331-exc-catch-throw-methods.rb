# §6: throw unwinds through methods and runs ensure clauses.
def search(tree, target, path)
  tree.each do |key, sub|
    throw :found, path + [key] if key == target
    search(sub, target, path + [key]) if sub.is_a?(Hash)
  end
ensure
  $unwound = ($unwound || 0) + 1
end
tree = { a: { b: { c: {} }, d: {} }, e: {} }
p catch(:found) { search(tree, :c, []); :missing }
p catch(:found) { search(tree, :zz, []); :missing }
p $unwound > 0
