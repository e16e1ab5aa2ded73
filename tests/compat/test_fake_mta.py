"""The fake MTA: header list operations (manager.md §7.2) and reply handling (scenarios.md §5.1)."""

from __future__ import annotations

import socket
import threading

import pytest

from milter_manager.protocol.replies import (
    AddHeader,
    AddRecipient,
    ChangeFrom,
    ChangeHeader,
    Continue,
    DeleteRecipient,
    InsertHeader,
    NegotiateReply,
    Progress,
    Quarantine,
    Reject,
    ReplaceBody,
)
from milter_manager.protocol.reply_code import ReplyCode
from milter_manager.protocol.status import Status
from milter_manager.protocol.wire import frame
from milter_manager.testing.harness.fake_mta import (
    FakeMTA,
    WireFailure,
    add_header,
    change_header,
    delete_header,
    insert_header,
)

H = [(b"From", b"a"), (b"To", b"b"), (b"Received", b"1"), (b"received", b"2")]


def test_add_header_goes_before_the_first_same_name_ignoring_case():
    headers = list(H)
    add_header(headers, b"RECEIVED", b"0")
    assert headers[2] == (b"RECEIVED", b"0")
    add_header(headers, b"X-New", b"v")
    assert headers[-1] == (b"X-New", b"v")


def test_insert_header_at_a_position_or_appended():
    headers = list(H)
    insert_header(headers, 1, b"X", b"1")
    insert_header(headers, 99, b"Y", b"2")
    assert headers[1] == (b"X", b"1")
    assert headers[-1] == (b"Y", b"2")


def test_change_header_nth_exact_name_else_add():
    headers = list(H)
    change_header(headers, b"received", 1, b"changed")     # exact case: the 4th entry
    assert headers[3] == (b"received", b"changed")
    change_header(headers, b"Received", 2, b"none")        # no 2nd `Received`: add-header
    assert headers[2] == (b"Received", b"none")
    assert headers[3] == (b"Received", b"1")


def test_delete_header_nth_exact_name_or_nothing():
    headers = list(H)
    delete_header(headers, b"Received", 2)
    assert headers == H
    delete_header(headers, b"received", 1)
    assert headers == H[:3]


class ScriptedManager:
    """A listening socket standing in for the manager: sends scripted bytes."""

    def __init__(self) -> None:
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(1)
        self.port = self.listener.getsockname()[1]
        self.accepted = threading.Event()
        self.conn: socket.socket | None = None
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        self.conn, _ = self.listener.accept()
        self.accepted.set()

    def send(self, *packets: object) -> None:
        self.accepted.wait(5)
        assert self.conn is not None
        self.conn.sendall(b"".join(p.encode() for p in packets))  # type: ignore[attr-defined]

    def close(self) -> None:
        self.accepted.wait(5)
        if self.conn is not None:
            self.conn.close()
        self.listener.close()


@pytest.fixture
def wire():
    manager = ScriptedManager()
    mta = FakeMTA("127.0.0.1", manager.port)
    yield manager, mta
    mta.close()
    manager.close()


def test_end_of_message_records_every_modification(wire):
    manager, mta = wire
    mta.records.headers[:] = [(b"From", b"kou")]
    manager.send(AddRecipient(b"add1"), AddRecipient(b"add2", b"NOTIFY=NEVER"),
                 DeleteRecipient(b"del"), Progress(), ReplaceBody(b"new"),
                 InsertHeader(0, b"X-First", b"1"), AddHeader(b"X-Last", b"2"),
                 ChangeHeader(1, b"From", b"kou2"), ChangeFrom(b"sender", b"SIZE=1"),
                 Quarantine(b"why"), Continue())
    reply = mta.read_final(command="end-of-message")
    assert reply.status == Status.CONTINUE
    records = mta.records
    assert records.headers == [(b"X-First", b"1"), (b"From", b"kou2"), (b"X-Last", b"2")]
    assert records.add_recipients == [(b"add1", None), (b"add2", b"NOTIFY=NEVER")]
    assert records.delete_recipients == [b"del"]
    assert records.n_progresses == 1
    assert records.replace_bodies == [b"new"]
    assert records.change_froms == [(b"sender", b"SIZE=1")]
    assert records.quarantine_reasons == [b"why"]
    assert records.header_change_after_quarantine is None


def test_header_change_after_quarantine_is_noticed(wire):
    manager, mta = wire
    manager.send(Quarantine(b"why"), AddHeader(b"X", b"1"), Continue())
    mta.read_final(command="end-of-message")
    assert mta.records.header_change_after_quarantine == "add-header"


def test_reply_code_is_reformatted_and_recorded(wire):
    manager, mta = wire
    manager.send(ReplyCode.build(554, b"5.7.1", b"1%% 2%% 3%%"))
    assert mta.read_final(command="envelope-from").status == Status.REJECT
    manager.send(ReplyCode.build(451, None, b"later"))
    assert mta.read_final(command="data").status == Status.TEMPORARY_FAILURE
    assert mta.records.reply_codes == [b"554 5.7.1 1%% 2%% 3%%", b"451 later"]


def test_negotiate_reply_only_for_negotiate(wire):
    manager, mta = wire
    manager.send(NegotiateReply(6, 0x7F, 0x400))
    reply = mta.read_final(command="negotiate")
    assert (reply.status, reply.option) == (Status.CONTINUE, (6, 0x7F, 0x400))
    manager.send(NegotiateReply(6, 0, 0))
    with pytest.raises(WireFailure, match="negotiate reply"):
        mta.read_final(command="helo")


def test_modification_outside_end_of_message_fails(wire):
    manager, mta = wire
    manager.send(AddHeader(b"X", b"1"), Continue())
    with pytest.raises(WireFailure, match="only at end-of-message"):
        mta.read_final(command="body")


@pytest.mark.parametrize("data", [frame(b"f"), frame(b"4"), frame(b"O", b"\0" * 12)])
def test_other_frames_fail(wire, data):
    manager, mta = wire
    manager.accepted.wait(5)
    manager.conn.sendall(data)
    with pytest.raises(WireFailure):
        mta.read_final(command="connect")


def test_eof_and_timeout_fail(wire):
    manager, mta = wire
    with pytest.raises(WireFailure, match="no reply"):
        mta.read_final(command="helo", timeout=0.2)
    manager.close()
    with pytest.raises(WireFailure, match="closed"):
        mta.read_final(command="helo")


def test_expect_eof_and_silence(wire):
    manager, mta = wire
    assert mta.expect_silence(0.1) is None
    manager.send(Reject())
    assert mta.expect_silence(0.5).wire_code == b"r"
    mta.read_final(command="helo")
    with pytest.raises(WireFailure, match="not closed"):
        mta.expect_eof(0.2)
    manager.close()
    mta.expect_eof(1.0)
