# §3.5: begin/rescue/else/ensure order and values.
def run(fail_it)
  log = []
  v = begin
    log << :body
    raise "x" if fail_it
    :body_value
  rescue
    log << :rescue
    :rescue_value
  else
    log << :else
    :else_value
  ensure
    log << :ensure
    :ensure_value_ignored
  end
  [v, log]
end
p run(false), run(true)
