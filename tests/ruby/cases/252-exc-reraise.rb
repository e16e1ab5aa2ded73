# §3.5: bare raise re-raises $!; $! is restored after the handler.
def inner
  raise KeyError, "inner"
rescue KeyError => e
  raise
end
begin
  inner
rescue => e
  p e.class, e.message
end
p $!
begin
  raise "outer"
rescue
  p $!.message
  begin
    raise "nested"
  rescue
    p $!.message
  end
  p $!.message
end
p $!
