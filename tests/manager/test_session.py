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
