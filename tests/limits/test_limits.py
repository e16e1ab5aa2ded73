"""Limits: the frame size (protocol.md §1), `max_connections` with
`suspend_time_on_unacceptable` (manager.md §15), the per-message header and
recipient limits (spec README: 10,000 each), the body spilled to a temporary
file above 5 MiB (manager.md §6.1), and descriptors closed on every path.

The manager runs in this process, so psutil sees its descriptors and its
temporary files (`/proc/self/fd`)."""

from __future__ import annotations

import gc
import hashlib
import os
import struct
import tempfile
import time
from pathlib import Path

import psutil
import pytest
from faults.support import (
    NEGOTIATE,
    FaultChild,
    InProcessManager,
    command_frames,
    fault_configuration,
    frame,
    healthy_session,
    wait_until,
)

from milter_manager.protocol.flags import NO_UNKNOWN

MAX_FRAME = 67108864          # protocol.md §1
SPILL = 5242880               # manager.md §6.1
PER_MESSAGE = 10000           # spec README: headers and recipients kept per message


@pytest.fixture
def made():
    things: list = []
    yield things
    for thing in reversed(things):
        (thing.stop if isinstance(thing, InProcessManager) else thing.close)()


def start(made, *children: FaultChild, **manager) -> InProcessManager:
    made.extend(children)
    running = InProcessManager(fault_configuration(*children, **manager))
    made.append(running)
    return running


def until(mta, last: bytes) -> None:
    frames = command_frames()
    for code in (b"O", b"C", b"H", b"M", b"R", b"T", b"L", b"N"):
        assert mta.command(frames[code]) in (b"O", b"c"), code
        if code == last:
            return


# --- frame size -----------------------------------------------------------------------

def test_a_frame_at_the_limit_is_accepted(made):
    # A child that asked not to see unknown commands, so the 64 MiB stays here.
    child = FaultChild("a", steps=NO_UNKNOWN)
    manager = start(made, child)
    mta = manager.mta()
    until(mta, b"H")
    payload = b"x" * (MAX_FRAME - 2) + b"\0"          # code byte + payload = the limit
    assert len(frame(b"U", payload)) == 4 + MAX_FRAME
    assert mta.command(frame(b"U", payload), timeout=30) == b"c"
    assert mta.command(frame(b"U", b"HELP\0")) == b"c"


@pytest.mark.parametrize("length, message", [
    (MAX_FRAME + 1, f"packet is too large: {MAX_FRAME + 1} bytes (maximum {MAX_FRAME})"),
    (2**32 - 1, f"packet is too large: {2**32 - 1} bytes (maximum {MAX_FRAME})"),
    (0, "packet is empty"),
])
def test_a_frame_past_the_limit_ends_the_session(made, length, message):
    child = FaultChild("a")
    manager = start(made, child)
    mta = manager.mta()
    until(mta, b"H")
    rss = psutil.Process().memory_info().rss
    # The length alone is refused (the payload is never buffered): send it,
    # then the start of the payload the MTA would be sending.
    mta.send(struct.pack(">I", length) + b"U" * min(length, 1 << 20))
    assert mta.closed(), "protocol.md §13: no reply, the connection is closed"
    assert manager.logs.wait_for(f"Decode error: {message}")
    assert wait_until(lambda: child.codes().endswith(b"Q"))
    assert psutil.Process().memory_info().rss - rss < 16 << 20
    mta.close()
    assert healthy_session(manager)[-1] == b"c"


# --- max_connections -------------------------------------------------------------------

def test_max_connections_suspends_accepting_only(made):
    child = FaultChild("a")
    manager = start(made, child, max_connections=2, suspend_time_on_unacceptable=0.5)
    first, second = manager.mta(), manager.mta()
    for mta in (first, second):
        until(mta, b"C")
    third = manager.mta()                 # in the backlog: the kernel accepted it, we did not
    third.send(NEGOTIATE)
    with pytest.raises(TimeoutError):
        third.reply(timeout=0.3)
    # The two sessions in progress are served while accepting is suspended.
    frames = command_frames()
    started = time.monotonic()
    assert first.command(frames[b"H"]) == b"c" and second.command(frames[b"H"]) == b"c"
    assert time.monotonic() - started < 0.25
    assert manager.logs.wait_for("[client][accept][suspend] too many processing connection: 2, "
                                 "max: 2; suspend accepting connection in 0.5 seconds: #1")
    assert manager.logs.wait_for("[client][accept][resume] resume accepting connection: #1")
    # Still two in progress: it suspends again.
    assert manager.logs.wait_for("suspend accepting connection in 0.5 seconds: #2")
    assert manager.sessions() == 2
    first.send(frame(b"Q"))
    first.close()
    ended = time.monotonic()
    assert third.reply(timeout=3)[0].wire_code == b"O"
    assert time.monotonic() - ended < 0.5 + 0.3    # at most one suspension later
    for mta in (second, third):
        mta.send(frame(b"Q"))
        mta.close()


# --- per-message limits ----------------------------------------------------------------

def test_ten_thousand_headers_then_temporary_failure(made):
    child = FaultChild("a")
    manager = start(made, child)
    mta = manager.mta()
    until(mta, b"T")
    headers = b"".join(frame(b"L", b"X-H\0%d\0" % i) for i in range(PER_MESSAGE))
    mta.send(headers)
    replies = [mta.reply()[0].wire_code for _ in range(PER_MESSAGE)]
    assert replies == [b"c"] * PER_MESSAGE
    # One more: the message gets temporary failure from now on (spec README).
    assert mta.command(frame(b"L", b"X-H\0one too many\0")) == b"t"
    assert manager.logs.wait_for(
        f"[leader][limit] too many headers in one message: {PER_MESSAGE + 1}")
    for code in (b"L", b"N", b"B", b"E"):
        assert mta.command(command_frames()[code]) == b"t"
    # The child kept 10,000 headers and was sent `A`, never the 10,001st.
    assert wait_until(lambda: child.codes().endswith(b"A"))
    assert child.codes().count(b"L") == PER_MESSAGE
    # The next message starts clean.
    for code in (b"M", b"R", b"T", b"L", b"N", b"B", b"E"):
        assert mta.command(command_frames()[code]) == b"c"


def test_ten_thousand_recipients_then_temporary_failure(made):
    child = FaultChild("a")
    manager = start(made, child)
    mta = manager.mta()
    until(mta, b"M")
    mta.send(b"".join(frame(b"R", b"<r%d@example.net>\0" % i) for i in range(PER_MESSAGE)))
    assert [mta.reply()[0].wire_code for _ in range(PER_MESSAGE)] == [b"c"] * PER_MESSAGE
    assert mta.command(frame(b"R", b"<one-too-many@example.net>\0")) == b"t"
    assert manager.logs.wait_for(
        f"[leader][limit] too many recipients in one message: {PER_MESSAGE + 1}")
    assert mta.command(frame(b"R", b"<later@example.net>\0")) == b"t"
    assert mta.command(frame(b"T")) == b"t"
    assert wait_until(lambda: child.codes().endswith(b"A"))
    assert child.codes().count(b"R") == PER_MESSAGE
    assert mta.command(command_frames()[b"M"]) == b"c"
    assert mta.command(command_frames()[b"R"]) == b"c"


# --- body spilled to a temporary file ----------------------------------------------------

def spilled_files(directory: Path) -> list[str]:
    """Descriptors of this process open on a file in DIRECTORY (the
    temporary file is unlinked, so only /proc shows it)."""
    found = []
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            continue
        if target.startswith(str(directory)):
            found.append(target)
    return found


@pytest.fixture
def spill_directory(tmp_path, monkeypatch):
    directory = tmp_path / "spill"
    directory.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(directory))
    return directory


def body_chunks(size: int) -> list[bytes]:
    data = hashlib.sha256(b"seed").digest() * (size // 32 + 1)
    return [data[i:i + 65535] for i in range(0, size, 65535)]


def received_body(child: FaultChild) -> bytes:
    return b"".join(p.chunk for p in child.received() if p.wire_code == b"B")


@pytest.mark.parametrize("ending", ["end-of-message", "abort", "mta-eof", "decode-error"])
def test_body_above_5_mib_is_spilled_and_the_file_closed(made, spill_directory, ending):
    first, second = FaultChild("a"), FaultChild("b")
    manager = start(made, first, second)
    mta = manager.mta()
    until(mta, b"N")
    chunks = body_chunks(SPILL + 700_000)
    sent = 0
    for chunk in chunks:
        assert mta.command(frame(b"B", chunk)) == b"c"
        sent += len(chunk)
        if sent <= SPILL:
            assert spilled_files(spill_directory) == [], "kept in memory up to 5 MiB"
    assert len(spilled_files(spill_directory)) == 1
    body = b"".join(chunks)
    if ending == "end-of-message":
        assert mta.command(frame(b"E")) == b"c"
        # The first child got the body live, the second replayed from the file.
        assert received_body(first) == body and received_body(second) == body
    elif ending == "abort":
        mta.send(frame(b"A"))
    elif ending == "mta-eof":
        mta.close()
    else:
        mta.send(frame(b"Z", b"?"))
    assert wait_until(lambda: spilled_files(spill_directory) == []), "temporary file left open"
    assert list(spill_directory.iterdir()) == []
    mta.close()
    assert healthy_session(manager)[-1] == b"c"


def test_replacement_body_above_5_mib_reaches_the_mta(made, spill_directory):
    replacement = b"".join(body_chunks(SPILL + 100_000))
    replies = b"".join(frame(b"b", replacement[i:i + 65535])
                       for i in range(0, len(replacement), 65535))
    child = FaultChild("a", modifications=replies)
    manager = start(made, child)
    mta = manager.mta()
    until(mta, b"N")
    assert mta.command(frame(b"B", b"original\r\n")) == b"c"
    mta.send(frame(b"E"))
    reply, modifications = mta.reply(timeout=10)
    assert reply.wire_code == b"c"
    assert b"".join(m.chunk for m in modifications if m.wire_code == b"b") == replacement
    assert wait_until(lambda: spilled_files(spill_directory) == [])


# --- descriptors on every path -----------------------------------------------------------

ENDINGS = {
    "quit": [b"O", b"C", b"H", b"M", b"R", b"T", b"L", b"N", b"B", b"E", b"Q"],
    "eof-after-connect": [b"O", b"C"],
    "eof-mid-message": [b"O", b"C", b"H", b"M", b"R", b"T", b"L"],
    "abort-then-quit": [b"O", b"C", b"H", b"M", b"R", b"A", b"Q"],
    "decode-error": [b"O", b"C", b"garbage"],
    "quit-new-connection": [b"O", b"C", b"H", b"K"],
}


@pytest.mark.parametrize("ending", list(ENDINGS))
def test_descriptors_return_after_every_kind_of_session(made, ending):
    children = [FaultChild("a"), FaultChild("b")]
    manager = start(made, *children)
    healthy_session(manager)                      # warm up
    assert wait_until(lambda: manager.sessions() == 0)
    gc.collect()                                  # what earlier tests left to the collector
    before = psutil.Process().num_fds()
    frames = {**command_frames(), b"Q": frame(b"Q"), b"A": frame(b"A"), b"K": frame(b"K"),
              b"garbage": frame(b"Z", b"?")}
    for _ in range(20):
        mta = manager.mta()
        for code in ENDINGS[ending]:
            if code in (b"Q", b"A", b"K", b"garbage"):
                mta.send(frames[code])
            else:
                mta.command(frames[code])
        mta.close()
    assert wait_until(lambda: manager.sessions() == 0)
    assert wait_until(lambda: all(c.finished == len(c.connections) for c in children))
    assert wait_until(lambda: psutil.Process().num_fds() <= before), \
        f"{psutil.Process().num_fds()} descriptors, {before} before"
