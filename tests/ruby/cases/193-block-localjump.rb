# §3.3: return from a proc whose method has returned: LocalJumpError
# (message identical in Ruby 3.1 and 3.4); yield without a block.
def make_proc
  proc { return 1 }
end
pr = make_proc
begin
  pr.call
rescue LocalJumpError => e
  p e.class, e.message
end
def needs_block
  yield
end
begin
  needs_block
rescue LocalJumpError => e
  p e.message
end
