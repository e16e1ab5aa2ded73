# §3.3: key: v pairs go to a trailing Hash when the method has no keyword
# parameters (restrict_accounts_by_list style).
def restrict(*accounts)
  options = accounts.last.is_a?(Hash) ? accounts.pop : {}
  [accounts, options]
end
p restrict("a", /b/, condition_name: "X")
p restrict("a", "k" => 1, :s => 2)
p restrict
def two(a, b = {})
  [a, b]
end
p two(1, x: 2), two(x: 3)
