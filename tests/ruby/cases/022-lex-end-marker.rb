# §1: `__END__` alone on a line ends the program.
p :before
def after
  :defined
end
p after
__END__
p :not_run
this is not even Ruby
