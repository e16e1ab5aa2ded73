"""Failures the fuzzers found (tests/fuzz, benchmarks/fuzz), each replayed
over real sockets so it stays fixed."""

from __future__ import annotations

import pytest

from milter_manager.protocol.flags import NO_REPLY_ENVELOPE_FROM

from .support import (
    BIG,
    CLOSE,
    NEGOTIATE,
    NO_READ,
    STALL,
    FaultChild,
    InProcessManager,
    command_frames,
    fault_configuration,
    healthy_session,
)


@pytest.fixture
def made():
    things = []
    yield things
    for thing in reversed(things):
        (thing.stop if isinstance(thing, InProcessManager) else thing.close)()


def test_command_pipelined_behind_o_finds_the_session_expired_by_fallback(made):
    # Found by the manager fuzzer: the MTA sent `C` in the same write as its
    # `O`; a child failed negotiation with fallback reject (manager.md §5.2).
    # The `O` reply started the pipelined `C` before the session was marked
    # expired, so `C` went to the healthy child, which was then sent `Q`:
    # the MTA never got a reply to `C`.
    failing = FaultChild("failing", CLOSE, b"O")
    healthy = FaultChild("healthy")
    made += [failing, healthy]
    manager = InProcessManager(fault_configuration(failing, healthy, fallback="reject",
                                                   manager_fallback="discard"))
    made.append(manager)
    mta = manager.mta()
    mta.send(NEGOTIATE + command_frames()[b"C"])
    assert mta.reply()[0].wire_code == b"O"
    assert mta.reply(timeout=2)[0].wire_code == b"d"     # the manager fallback
    mta.close()
    assert healthy.codes() in (b"O", b"OQ")               # never the `C`
    assert healthy_session(manager)[-1] == b"c"


def test_child_failing_before_its_no_reply_command_is_written_answers_its_fallback(made):
    # Found by the manager fuzzer: a child that negotiated NO_REPLY for a
    # command counts as answered once the command is written (protocol.md
    # §8.1). When it failed before that (here: it stops reading, the write
    # of a big envelope-from never completes, the writing timeout fires),
    # nothing answered for it and the MTA waited forever. It now answers its
    # fallback (manager.md §9.2).
    child = FaultChild("nr", NO_READ, b"M", predecessor=b"H", steps=NO_REPLY_ENVELOPE_FROM)
    made.append(child)
    manager = InProcessManager(fault_configuration(child, fallback="reject"))
    made.append(manager)
    mta = manager.mta()
    frames = command_frames()
    for code in (b"O", b"C", b"H"):
        assert mta.command(frames[code]) in (b"O", b"c")
    assert mta.command(command_frames(b"x" * BIG)[b"M"], timeout=5) == b"r"
    assert manager.logs.wait_for("[child][error][timeout][writing] nr")
    mta.close()
    assert healthy_session(manager)[-1] == b"c"


def test_reading_timeout_starts_when_the_command_has_been_written(made):
    # Found by the fault matrix: the reading timeout was armed when a
    # command was queued, so a child slow to take a big command failed on
    # the *reading* timeout while the write was still in progress. manager.md
    # §9.1: reading runs from the flush; the writing timeout governs the
    # write. A child that reads again before its (longer) writing timeout
    # expires is served normally.
    child = FaultChild("slow-reader", STALL, b"H", predecessor=b"C", stall=1.0)
    made.append(child)
    conf = fault_configuration(child, fallback="reject")
    conf.eggs[0].reading_timeout = 0.3
    conf.eggs[0].writing_timeout = 5.0
    manager = InProcessManager(conf)
    made.append(manager)
    mta = manager.mta()
    frames = command_frames()
    for code in (b"O", b"C"):
        assert mta.command(frames[code]) in (b"O", b"c")
    assert mta.command(command_frames(b"x" * BIG)[b"H"], timeout=10) == b"c"
    assert "[timeout]" not in manager.logs.text()
    mta.close()
