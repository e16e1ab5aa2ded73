"""A whole session through the manager on the wire (manager.md §2–§7)."""

from milter_manager.protocol.commands import (
    Body,
    Connect,
    Data,
    EndOfHeader,
    EndOfMessage,
    EnvelopeFrom,
    EnvelopeRecipient,
    Header,
    Helo,
)

from .support import configuration, egg


def connect_packet():
    return Connect(b"mx.example.net", b"4", 2929, b"192.168.1.29")


def test_full_message_two_children(milters, run_manager):
    a = milters("a")
    b = milters("b")
    running = run_manager(configuration(egg("a", a.spec), egg("b", b.spec)))
    mta = running.mta()
    reply = mta.negotiate()
    assert reply.wire_code == b"O"
    assert mta.command(connect_packet()).wire_code == b"c"
    assert mta.command(Helo(b"delian")).wire_code == b"c"
    assert mta.command(EnvelopeFrom(b"<kou@example.com>")).wire_code == b"c"
    assert mta.command(EnvelopeRecipient(b"<a@example.com>")).wire_code == b"c"
    assert mta.command(Data()).wire_code == b"c"
    assert mta.command(Header(b"From", b"kou")).wire_code == b"c"
    assert mta.command(EndOfHeader()).wire_code == b"c"
    assert mta.command(Body(b"Hi,")).wire_code == b"c"
    assert mta.command(EndOfMessage()).wire_code == b"c"
    assert a.codes() == b"OCHMRTLNBE"
    assert b.codes() == b"OCHMRTLNBE"
    mta.close()
    assert a.wait_for(lambda: a.codes().endswith(b"Q"))


def test_per_message_header_limit_tempfails_the_message(milters, run_manager, monkeypatch):
    # spec README: at most 10,000 headers per message (lowered here to 3).
    from milter_manager.manager import leader
    monkeypatch.setattr(leader, "MAX_HEADERS", 3)
    a = milters("a")
    running = run_manager(configuration(egg("a", a.spec)))
    mta = running.mta()
    from .support import run_until
    run_until(mta, b"T")
    for i in range(3):
        assert mta.command(Header(b"X-%d" % i, b"v")).wire_code == b"c"
    assert mta.command(Header(b"X-3", b"v")).wire_code == b"t"
    assert mta.command(EndOfHeader()).wire_code == b"t"
    assert a.wait_for(lambda: a.codes().endswith(b"LLLA"))
    assert running.recorder.wait_for("[leader][limit] too many headers in one message: 4")
    # the next message is served normally
    assert mta.command(EnvelopeFrom(b"<s>")).wire_code == b"c"


def test_second_negotiate_gets_the_same_answer(milters, run_manager):
    from milter_manager.protocol import Negotiate
    a = milters("a")
    running = run_manager(configuration(egg("a", a.spec)))
    mta = running.mta()
    first = mta.command(Negotiate(6, 0x1FF, 0))
    second = mta.command(Negotiate(6, 0x1FF, 0))
    assert first == second
    assert len(a.connections) == 1


def test_many_pipelined_commands_answered_at_once_do_not_recurse(milters, run_manager):
    # Every header is answered without asking a child (NO_HEADERS head).
    from milter_manager.protocol.flags import NO_HEADERS

    from .support import run_until
    a = milters("a", steps=NO_HEADERS)
    running = run_manager(configuration(egg("a", a.spec)))
    mta = running.mta()
    run_until(mta, b"T")
    mta.send(b"".join(Header(b"X-%d" % i, b"v").encode() for i in range(5000)))
    for _ in range(5000):
        assert mta.reply()[0].wire_code == b"c"
    assert mta.command(EndOfHeader()).wire_code == b"c"


def test_runs_from_the_configuration_layers_object_model(milters, run_manager):
    """The real `Configuration` (no Ruby needed): manager items and eggs in
    their order, fallback and evaluation settings, conditions."""
    from milter_manager.config.model import ApplicableCondition, Configuration
    from milter_manager.protocol.replies import Reject
    a = milters("a", script={b"H": [Reject()]})
    b = milters("b")
    conf = Configuration()
    conf.manager.set("fallback_status", "temporary-failure", None)
    conf.manager.set("chunk_size", 4, None)
    for name, milter in (("b", b), ("a", a)):
        egg_ = conf.begin_egg(name, None)
        conf.set_egg(egg_, "connection_spec", milter.spec, None)
        conf.commit_egg(egg_)
    # redefining "b" moves it to the end of the child order (config.md §9.1)
    egg_b = conf.begin_egg("b", None)
    conf.set_egg(egg_b, "evaluation_mode", True, None)
    conf.commit_egg(egg_b)
    stop = ApplicableCondition("stop-unknown")
    stop.add_stopper("helo", lambda context, fqdn: context.name == "b" and fqdn == "stop")
    egg_b.applicable_conditions.append(stop)
    running = run_manager(conf)
    mta = running.mta()
    from .support import run_until
    run_until(mta, b"C")
    assert mta.command(Helo(b"stop")).wire_code == b"r"      # a rejects, b is stopped
    assert b.codes() == b"OCAQ"
    assert a.wait_for(lambda: a.codes() == b"OCHQ")             # a reject at helo: Q
    # no child left: the configured manager fallback
    assert mta.command(EnvelopeFrom(b"<s>")).wire_code == b"t"


def test_pipelined_next_message_after_end_of_message(milters, run_manager):
    """The reply to E lets the leader start on pipelined commands: the ended
    message's state must already be settled (the next M keeps its macros)."""
    from milter_manager.protocol.commands import DefineMacro, EnvelopeRecipient

    from .support import run_until
    a = milters("a")
    b = milters("b")
    running = run_manager(configuration(egg("a", a.spec), egg("b", b.spec)))
    mta = running.mta()
    run_until(mta, b"T")
    assert mta.command(Header(b"From", b"kou")).wire_code == b"c"
    mta.send(EndOfMessage(), DefineMacro(b"M", {b"mail_addr": b"second"}),
             EnvelopeFrom(b"<second>"), EnvelopeRecipient(b"<r2>"))
    replies = [mta.reply()[0].wire_code for _ in range(3)]
    assert replies == [b"c", b"c", b"c"]
    for child in (a, b):
        packets = child.received()
        second = packets[[p.wire_code for p in packets].index(b"E") + 1:]
        assert [p.wire_code for p in second] == [b"D", b"M", b"R"]
        assert second[0].macros == {b"mail_addr": b"second"}


def test_pipelined_commands_after_a_rejected_envelope_from(milters, run_manager):
    from milter_manager.protocol.commands import EnvelopeRecipient
    from milter_manager.protocol.replies import Reject

    from .support import run_until
    calls = []

    def first_rejects(packet, record):
        calls.append(packet)
        return [Reject()] if len(calls) == 1 else [Continue()]
    from milter_manager.protocol.replies import Continue
    a = milters("a", script={b"M": first_rejects})
    running = run_manager(configuration(egg("a", a.spec)))
    mta = running.mta()
    run_until(mta, b"H")
    mta.send(EnvelopeFrom(b"<one>"), EnvelopeFrom(b"<two>"), EnvelopeRecipient(b"<r>"))
    assert [mta.reply()[0].wire_code for _ in range(3)] == [b"r", b"c", b"c"]
    assert a.wait_for(lambda: a.codes().endswith(b"MAMR"))


def test_privilege_mode_launches_then_retries(milters, run_manager, tmp_path):
    # manager.md §9.3: launch request, then one retry after retry_connect_time.
    path = str(tmp_path / "launched.sock")
    launched = []

    def launcher(command_line, user_name):
        launched.append((command_line, user_name))
        milters("launched", unix_path=path)
    conf = configuration(egg("greylist", f"unix:{path}", command="/usr/sbin/milter-greylist",
                             command_options="-D -f /etc/greylist.conf", user_name="greylist"))
    running = run_manager(conf, privilege_mode=True, launcher=launcher, retry_connect_time=0.2)
    mta = running.mta()
    from milter_manager.protocol import Negotiate
    assert mta.command(Negotiate(6, 0x1FF, 0)).wire_code == b"O"
    assert launched == [("/usr/sbin/milter-greylist -D -f /etc/greylist.conf", "greylist")]
    assert not running.recorder.wait_for("Failed to connect", timeout=0.1)


def test_launch_request_encoding():
    # cli.md §11.2's example
    from milter_manager.manager import encode_launch_request
    frame = encode_launch_request("/usr/sbin/milter-greylist -D -f /etc/greylist.conf",
                                  "greylist")
    assert frame == (b"\x00\x00\x00\x42launch\x00/usr/sbin/milter-greylist -D -f "
                     b"/etc/greylist.conf\x00greylist")
    assert encode_launch_request("/bin/m", None) == b"\x00\x00\x00\x0elaunch\x00/bin/m\x00"


def test_too_many_open_files_pauses_accepting_only(milters):
    # manager.md §15: EMFILE from accept() pauses the accept watch, logs, resumes.
    import errno

    from milter_manager.manager import Manager

    from .support import LogRecorder
    recorder = LogRecorder()
    conf = configuration(suspend_time_on_unacceptable=1)
    manager = Manager(conf, "inet:0@[127.0.0.1]", log=recorder.log)
    manager.start()
    try:
        manager._accept_failed(OSError(errno.EMFILE, "Too many open files"))
        assert not manager.listener.accepting
        assert "[client][accept][suspend] too many file is opened. suspend accepting " \
               "connection in 1 seconds" in recorder.messages()
        ticks = []
        manager.loop.call_later(0.5, ticks.append, "still running")
        assert manager.loop.run_until(lambda: manager.listener.accepting, timeout=3)
        assert ticks == ["still running"]          # the loop kept going meanwhile
        assert "[client][accept][resume] resume accepting connection." in recorder.messages()
    finally:
        manager.stop()
        manager._close_all()
