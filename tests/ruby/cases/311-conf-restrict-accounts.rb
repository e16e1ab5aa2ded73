# restrict-accounts.conf: top-level defs with *accounts, a trailing options
# Hash, &block capture, `options[:x] ||= "...#{accounts.inspect}"`.
def restrict_accounts_generic(options, &restricted_account_p)
  condition_name = options[:condition_name] || "Restrict Accounts"
  milters = options[:milters] || ["default-milter"]
  checks = ["<alice@example.com>", "bob@example.com", "<carol@other.org>"].map do |r|
    restricted_account_p.call(:context, r)
  end
  [condition_name, milters, checks]
end
def restrict_accounts_by_list(*accounts)
  if accounts.last.is_a?(Hash)
    options = accounts.pop.dup
  else
    options = {}
  end
  options[:condition_name] ||= "Restrict Accounts by List: #{accounts.inspect}"
  restrict_accounts_generic(options) do |context, recipient|
    if /\A<(.+)>\z/ =~ recipient
      address = $1
    else
      address = recipient
    end
    accounts.any? { |account| account === address }
  end
end
p restrict_accounts_by_list("alice@example.com", /@other\.org\z/)
p restrict_accounts_by_list("bob@example.com", condition_name: "Bob only", milters: ["m"])
