"""The `context` a stopper gets, in a live session (ruby-subset.md §9.5,
§9.7; config.md §10.3): every method the spec lists, seen from Ruby and
reported to the child as a macro, with upstream's stock files and ours."""

import pytest

from milter_manager.protocol.replies import Reject

from .support import (
    RecordingMilter,
    RunningManager,
    Session,
    connect_packet,
    load_stock,
    run_session,
    wait_until,
)

SITE = """\
define_applicable_condition("Observe") do |condition|
  condition.define_envelope_from_stopper do |context, from|
    shelf = context.mail_transaction_shelf
    shelf["from"] = from
    shelf["list"] = [1, 2.5, :sym, nil, true, {"k" => "v"}]
    entries = []
    shelf.each { |key, value| entries << key }
    others = context.children
    context["{observed}"] = [
      context.name, context["daemon_name"], context["{auth_authen}"],
      context.authenticated?, context.postfix?, context.n_processing_sessions,
      context.quitted?, context.accept?, context.reject?, context.discard?,
      context.temporary_failure?, others.keys.sort,
      others["rejecter"].reject?, others["rejecter"].quitted?,
      entries.sort, shelf["list"], shelf["missing"],
    ].inspect
    begin
      shelf["bad"] = Object.new
    rescue TypeError => error
      context["shelf_error"] = error.message
    end
    false
  end
  condition.define_envelope_recipient_stopper do |context, recipient|
    context["rcpt_from"] = context.mail_transaction_shelf["from"]
    context["rcpt_observed"] = context["observed"]
    false
  end
end
{milters}
"""


@pytest.mark.parametrize("stock", ["upstream", "own"])
def test_context_methods_in_a_live_session(stock, tmp_path):
    children = {"observer": RecordingMilter("observer"),
                "rejecter": RecordingMilter("rejecter", {b"H": Reject()})}
    milters = "\n".join(
        f'define_milter("{name}") {{ |m| m.connection_spec = "{child.spec}"; '
        f'm.applicable_conditions = {["Observe"] if name == "observer" else []!r} }}'
        for name, child in children.items())
    config, logged = load_stock(stock, tmp_path / "config", SITE.replace("{milters}", milters))
    running = RunningManager(config)
    session = Session("context", connect_macros={"v": "Postfix 3.7.11",
                                                 "{daemon_name}": "smtpd"},
                      auth={"{auth_authen}": "alice"})
    try:
        codes = run_session(running.port, session, connect_packet(session))
    finally:
        running.stop()
    assert codes[-1] == b"a"
    observer = children["observer"].connection(0)
    assert wait_until(lambda: observer.closed)
    assert observer.macro("observed") == (
        '["observer", "smtpd", "alice", true, true, 1, false, false, false, false, false, '
        '["observer", "rejecter"], true, true, ["from", "list"], '
        '[1, 2.5, :sym, nil, true, {"k"=>"v"}], nil]')
    assert observer.macro("shelf_error") == \
        "can't store Object in the mail transaction shelf"
    assert observer.macro("rcpt_from") == "<sender@example.net>"
    # values set with []= are read back at later stages of the message
    assert observer.macro("rcpt_observed") == observer.macro("observed")
    assert not [message for _, message in logged if "Error" in message]
    for child in children.values():
        child.close()
