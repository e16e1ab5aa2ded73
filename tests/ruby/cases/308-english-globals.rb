# §8.7: English names for the special globals.
require "English"
"left-middle-right" =~ /middle/
p $PREMATCH, $POSTMATCH, $MATCH, $LAST_MATCH_INFO[0]
begin
  raise "err"
rescue
  p $ERROR_INFO.message
end
p File.basename($PROGRAM_NAME)
