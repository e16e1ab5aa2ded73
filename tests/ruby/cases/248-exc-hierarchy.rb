# §3.5: the exception hierarchy, checked through rescue clauses and is_a?.
def caught_by(exc)
  raise exc
rescue ZeroDivisionError, KeyError
  :specific
rescue IndexError
  :index_error
rescue StandardError
  :standard
rescue Exception
  :exception
end
p caught_by(KeyError.new), caught_by(StopIteration.new), caught_by(IndexError.new)
p caught_by(NoMethodError.new), caught_by(NotImplementedError.new)
p caught_by(ZeroDivisionError.new), caught_by(FrozenError.new)
p NoMethodError.new.is_a?(NameError), FrozenError.new.is_a?(RuntimeError)
p FloatDomainError.new.is_a?(RangeError), LoadError.new.is_a?(ScriptError)
p Errno::ENOENT.new.is_a?(SystemCallError), StopIteration.new.is_a?(IndexError)
p ThreadError.new.is_a?(StandardError), LocalJumpError.new.is_a?(StandardError)
p SystemStackError.new.is_a?(StandardError), RegexpError.new.is_a?(StandardError)
