# §3.5: an explicit return in ensure overrides; ensure value is otherwise
# ignored; exception inside rescue replaces the original.
def override
  return :body
ensure
  return :ensure
end
p override
def value_kept
  :body
ensure
  :ignored
end
p value_kept
begin
  begin
    raise "first"
  rescue
    raise ArgumentError, "second"
  end
rescue => e
  p e.class, e.message
end
