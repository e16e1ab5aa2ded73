# §3.5: retry re-runs the begin block.
attempts = 0
begin
  attempts += 1
  raise IOError, "flaky" if attempts < 3
  p [:succeeded_after, attempts]
rescue IOError
  retry
end
def with_retries
  tries = 0
  begin
    tries += 1
    yield tries
  rescue ArgumentError
    retry if tries < 2
    :gave_up
  end
end
p with_retries { |t| raise ArgumentError if t < 2; "ok on #{t}" }
p with_retries { |t| raise ArgumentError }
