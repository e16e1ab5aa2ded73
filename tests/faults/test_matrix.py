"""The fault-injection matrix: every stage × every fault, over real sockets.

Child faults (the first child misbehaves at one stage of its first session;
the second child is healthy): it closes without replying, hangs past its
timeout (reading, or end-of-message at `E`; at negotiate it never even
accepts the connection: connection timeout), stops reading so the manager's
write blocks (writing timeout), answers garbage, answers a reply not allowed
at that stage, or answers a 100 MB frame. Each cell runs with the faulty
child's fallback `reject` and `accept`; the manager fallback is
`temporary-failure` so the two can be told apart.

What the MTA gets (manager.md §9.2, §5.1–§5.3, §6.4, §11; protocol.md §1,
§11.1, §13) — the rule, not a recording of our output:

* at negotiate: the `O` reply (a failing child is "not negotiated" and never
  blocks it, M14); with a refused fallback the session is then expired by
  fallback, so `C` gets the manager fallback (§5.2); with accept the healthy
  child answers `C`;
* at every other stage: the child fallback (reject → `r`; accept → `c`, and at
  a message stage the chain goes on to the healthy child, M6).

MTA faults: it closes while a stage's reply is pending (nothing is written;
every child gets `Q` and is closed, M16), or sends the stage's command out of
order (`O` twice → the same negotiate reply; connect, helo, envelope-from,
unknown before `O` → the manager fallback; a message command without `M` →
`None of milters are processing message.` and the manager fallback).

Every cell then checks that the next session is served normally and that the
manager holds no more descriptors than before the cell (psutil).
"""

from __future__ import annotations

import psutil
import pytest

from .support import (
    BIG,
    CLOSE,
    FLOOD,
    FLOOD_FAULT,
    GARBAGE,
    HANG,
    NEGOTIATE,
    NO_ACCEPT,
    NO_READ,
    SESSION,
    SLOW,
    WRONG_REPLY,
    FaultChild,
    InProcessManager,
    command_frames,
    fault_configuration,
    frame,
    healthy_session,
    wait_until,
)

STAGES = {
    "negotiate": b"O", "connect": b"C", "helo": b"H", "unknown": b"U",
    "envelope-from": b"M", "envelope-recipient": b"R", "data": b"T", "header": b"L",
    "end-of-header": b"N", "body": b"B", "end-of-message": b"E",
}
MESSAGE_STAGES = {b"L", b"N", b"B", b"E"}
CHILD_FAULTS = [CLOSE, HANG, NO_READ, GARBAGE, WRONG_REPLY, FLOOD_FAULT]
MTA_FAULTS = ["mta-close", "mta-out-of-order"]
MANAGER_FALLBACK = b"t"          # fault_configuration's manager fallback


def prefix(code: bytes) -> list[bytes]:
    """The commands an MTA sends before `code` in a session."""
    return SESSION[:SESSION.index(code)]


def fault_at(fault: str, code: bytes) -> str:
    # At negotiate there is nothing to write that could block: the timeout
    # that belongs there is the connection timeout.
    return NO_ACCEPT if (fault == NO_READ and code == b"O") else fault


#: (stage, fault) cells, each id naming what is really injected.
CHILD_CELLS = [pytest.param(stage, fault_at(fault, code), id=f"{stage}-{fault_at(fault, code)}")
               for stage, code in STAGES.items() for fault in CHILD_FAULTS]


def log_line(fault: str, code: bytes) -> str | None:
    """What the manager logs about the failing child (manager.md §9)."""
    nick = {v: k for k, v in STAGES.items()}[code]
    return {
        HANG: "[child][error][timeout][end-of-message] faulty" if code == b"E"
        else "[child][error][timeout][reading] faulty",
        NO_READ: "[child][error][timeout][writing] faulty",
        NO_ACCEPT: "connection timeout",
        GARBAGE: "Decode error: unexpected reply was received: Z: faulty",
        WRONG_REPLY: ("<continue> should be caused on <negotiate>" if code == b"O" else
                      "<skip> should be caused on <body> but was <end-of-message>: faulty"
                      if code == b"E" else
                      f"<add-header> should be caused on <end-of-message> but was <{nick}>"),
        FLOOD_FAULT: f"Decode error: packet is too large: {FLOOD + 1} bytes "
                     "(maximum 67108864): faulty",
        CLOSE: None,
    }[fault]


def manager_descriptors(children: list[FaultChild]) -> int:
    """This process's descriptors minus the test doubles' own connection
    sockets (a child that stopped reading keeps its end open until the
    test releases it; that is the double's descriptor, not the manager's)."""
    process = psutil.Process()
    ports = {child.port for child in children}
    doubles = sum(1 for c in process.net_connections(kind="tcp")
                  if c.laddr and c.laddr.port in ports and c.status != psutil.CONN_LISTEN)
    return process.num_fds() - doubles


class Cell:
    def __init__(self, faulty: FaultChild, healthy: FaultChild, fallback: str) -> None:
        self.faulty = faulty
        self.healthy = healthy
        self.manager = InProcessManager(fault_configuration(faulty, healthy, fallback=fallback))
        self.before = manager_descriptors([faulty, healthy])

    def finish(self) -> None:
        """Session 1 is over: no session left, every child connection closed
        by the manager; the next session is served; no descriptor leaked."""
        manager = self.manager
        assert wait_until(lambda: manager.sessions() == 0, 5), "the session never ended"
        for child in (self.faulty, self.healthy):
            assert wait_until(lambda c=child: len(c.connections) == c.finished
                              or c.fault in (HANG, NO_READ), 5), f"{child.name} left open"
        self.faulty.heal()
        assert healthy_session(manager) == [b"O"] + [b"c"] * (len(SESSION) - 1)
        assert wait_until(lambda: manager.sessions() == 0, 5)
        self.faulty.release()
        children = [self.faulty, self.healthy]
        assert wait_until(lambda: manager_descriptors(children) <= self.before, 5), \
            f"descriptors: {manager_descriptors(children)} > {self.before} before the cell"

    def close(self) -> None:
        self.manager.stop()
        self.faulty.close()
        self.healthy.close()


@pytest.fixture
def cells():
    made: list[Cell] = []

    def make(fault: str, code: bytes, fallback: str = "accept") -> Cell:
        index = SESSION.index(code)
        faulty = FaultChild("faulty", fault, code,
                            predecessor=SESSION[index - 1] if index else b"")
        healthy = FaultChild("healthy")
        cell = Cell(faulty, healthy, fallback)
        made.append(cell)
        return cell
    yield make
    for cell in made:
        cell.close()


def _stage_frame(fault: str, code: bytes) -> bytes:
    # A child that stops reading is only noticed when the manager has more
    # to write than the socket buffers hold.
    return command_frames(b"x" * BIG if fault == NO_READ else b"")[code]


@pytest.mark.parametrize("fallback", ["reject", "accept"])
@pytest.mark.parametrize("stage, fault", CHILD_CELLS)
def test_child_fault(cells, stage, fault, fallback):
    code = STAGES[stage]
    cell = cells(fault, code, fallback)
    mta = cell.manager.mta()
    frames = command_frames()
    for before in prefix(code):
        assert mta.command(frames[before]) in (b"O", b"c"), before
    mta.send(_stage_frame(fault, code))
    reply, modifications = mta.reply(timeout=10)
    assert modifications == []
    if code == b"O":
        assert reply.wire_code == b"O"
        # With a refused fallback the session is expired by fallback (§5.2).
        expected = MANAGER_FALLBACK if fallback == "reject" else b"c"
        assert mta.command(frames[b"C"]) == expected
        if fallback == "reject":
            assert cell.healthy.codes() in (b"O", b"OQ")     # it never sees `C`
    else:
        assert reply.wire_code == (b"r" if fallback == "reject" else b"c")
        if code in MESSAGE_STAGES and fallback == "accept":
            # M6: the chain goes on: the healthy child gets the command too.
            assert code in cell.healthy.codes()
    line = log_line(fault, code)
    if line is not None:
        assert cell.manager.logs.wait_for(line), cell.manager.logs.text()
    mta.send(frame(b"Q"))
    assert mta.closed()
    mta.close()
    cell.finish()


@pytest.mark.parametrize("stage", list(STAGES))
def test_mta_closes_while_the_reply_is_pending(cells, stage):
    code = STAGES[stage]
    cell = cells(SLOW, code)
    mta = cell.manager.mta()
    frames = command_frames()
    for before in prefix(code):
        assert mta.command(frames[before]) in (b"O", b"c"), before
    mta.send(frames[code])
    mta.close()                       # before the (slow) child answered
    manager = cell.manager
    assert wait_until(lambda: manager.sessions() == 0, 5)
    if code != b"O":
        # §13.3: every child that has not quit is sent `Q` and closed.
        for child in (cell.faulty, cell.healthy):
            assert wait_until(lambda c=child: c.codes().endswith(b"Q"), 3), child.codes()
    cell.finish()


@pytest.mark.parametrize("stage", list(STAGES))
def test_mta_sends_the_command_out_of_order(cells, stage):
    code = STAGES[stage]
    cell = cells(None, code)
    mta = cell.manager.mta()
    frames = command_frames()
    if code == b"O":
        mta.send(NEGOTIATE)
        first = mta.reply()[0]
        assert first.wire_code == b"O"
        assert mta.command(frames[b"C"]) == b"c"
        mta.send(NEGOTIATE)
        # A second `O` gets the session's negotiate reply again.
        assert mta.reply()[0] == first
        assert mta.command(frames[b"H"]) == b"c"
        assert cell.faulty.codes() == b"OCH"          # no second negotiation
    elif code in (b"C", b"H", b"M", b"U"):
        # Before `O` there are no children: the manager fallback, once.
        assert mta.command(frames[code]) == MANAGER_FALLBACK
        for command in SESSION:
            assert mta.command(frames[command]) in (b"O", b"c")
        assert cell.faulty.codes() == b"".join(SESSION)
    else:
        for command in (b"O", b"C", b"H"):
            assert mta.command(frames[command]) in (b"O", b"c")
        # No envelope-from: nobody processes a message (§5.3 step 1, §6.2).
        assert mta.command(frames[code]) == MANAGER_FALLBACK
        assert cell.manager.logs.wait_for("None of milters are processing message.")
        assert code not in cell.faulty.codes()
        for command in SESSION[SESSION.index(b"M"):]:
            assert mta.command(frames[command]) == b"c"
    mta.send(frame(b"Q"))
    assert mta.closed()
    mta.close()
    cell.finish()


def test_flood_does_not_grow_memory(cells):
    # protocol.md §1: the length is refused as soon as its 4 bytes are read;
    # the payload is never buffered (the child goes on writing 100 MB).
    cell = cells(FLOOD_FAULT, b"H", "reject")
    rss = psutil.Process().memory_info().rss
    mta = cell.manager.mta()
    frames = command_frames()
    for before in prefix(b"H"):
        mta.command(frames[before])
    assert mta.command(frames[b"H"]) == b"r"
    assert psutil.Process().memory_info().rss - rss < 32 << 20
    mta.send(frame(b"Q"))
    mta.close()
    cell.finish()
