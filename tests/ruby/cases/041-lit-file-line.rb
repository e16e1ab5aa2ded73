# §1: __FILE__ and __LINE__; $0 is the program file as given.
p File.basename(__FILE__)
p __LINE__
p File.basename($0)
p __FILE__ == $0
def where
  __LINE__
end
p where
p $PROGRAM_NAME == $0
