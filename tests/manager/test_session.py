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
