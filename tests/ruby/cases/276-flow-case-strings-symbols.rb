# §4: case with String and Symbol values (=== is ==), arrays of patterns via
# several `when` values, and `then` on the same line.
def status_for(nick)
  case nick
  when "accept", "continue" then :pass
  when "reject" then :fail
  when :temporary_failure, "temporary-failure" then :retry
  end
end
p %w[accept continue reject temporary-failure other].map { |n| status_for(n) }
p status_for(:temporary_failure)
level = :info
msg = case level
      when :debug, :info
        "verbose"
      else
        "quiet"
      end
p msg
