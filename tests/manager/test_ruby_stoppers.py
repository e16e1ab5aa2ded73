"""Stoppers written in Ruby, run by the configuration layer's runtime with the
manager's stopper context (manager.md §12, ruby-subset.md §9.5, §9.7)."""

from milter_manager.config.loader import ConfigurationLoader, LoadOptions
from milter_manager.config.logsink import StdoutLog
from milter_manager.protocol.commands import (
    DefineMacro,
    EnvelopeFrom,
    EnvelopeRecipient,
    Helo,
)

from .support import connect_packet, run_until


def load(tmp_path, text):
    path = tmp_path / "milter-manager.conf"
    path.write_text(text)
    options = LoadOptions(load_paths=[str(tmp_path)], files=[str(path)],
                          custom_directory=False, custom_xml=False, env={},
                          log=StdoutLog(lambda: 0))
    return ConfigurationLoader(options).startup()


def test_ruby_stoppers_see_macros_names_and_the_shelf(milters, run_manager, tmp_path):
    a = milters("a")
    b = milters("b")
    config = load(tmp_path, f'''
define_applicable_condition("mark") do |condition|
  condition.define_envelope_from_stopper do |context, from|
    context.mail_transaction_shelf["from"] = from
    false
  end
end
define_applicable_condition("skip-postfix-test") do |condition|
  condition.define_envelope_recipient_stopper do |context, recipient|
    context.name == "b" && context["daemon_name"] == "Postfix" &&
      context.mail_transaction_shelf["from"] == "<stop@example.com>" &&
      recipient == "<r@example.com>"
  end
end
define_milter("a") do |milter|
  milter.connection_spec = "{a.spec}"
  milter.applicable_conditions = ["mark"]
end
define_milter("b") do |milter|
  milter.connection_spec = "{b.spec}"
  milter.applicable_conditions = ["skip-postfix-test"]
end
''')
    running = run_manager(config)
    mta = running.mta()
    run_until(mta, b"O")
    mta.send(DefineMacro(b"C", {b"daemon_name": b"Postfix"}))
    assert mta.command(connect_packet()).wire_code == b"c"
    assert mta.command(Helo(b"h")).wire_code == b"c"
    assert mta.command(EnvelopeFrom(b"<stop@example.com>")).wire_code == b"c"
    assert mta.command(EnvelopeRecipient(b"<r@example.com>")).wire_code == b"c"
    assert mta.command(EnvelopeRecipient(b"<other@example.com>")).wire_code == b"c"
    assert [p.address for p in a.received() if p.wire_code == b"R"] == \
        [b"<r@example.com>", b"<other@example.com>"]
    # b was stopped for the first recipient only (a recipient stopper skips one RCPT)
    assert [p.address for p in b.received() if p.wire_code == b"R"] == [b"<other@example.com>"]


def test_ruby_connect_stopper_gets_the_client_address(milters, run_manager, tmp_path):
    a = milters("a")
    config = load(tmp_path, f'''
define_applicable_condition("local-only") do |condition|
  condition.define_connect_stopper do |context, host, address|
    !(address.to_s == "inet:2929@[192.168.1.29]" && address.local? && host == "mx.example.net")
  end
end
define_milter("a") do |milter|
  milter.connection_spec = "{a.spec}"
  milter.applicable_conditions = ["local-only"]
end
''')
    running = run_manager(config)
    mta = running.mta()
    run_until(mta, b"C")          # not stopped: the child gets C
    assert a.codes() == b"OC"
