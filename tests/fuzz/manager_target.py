"""Fuzz target: the manager between a random MTA and random children.

One `Manager`, its children and the fake MTA all run on the manager's own
event loop, over real loopback sockets: a case costs no thread switch, so
millions of sessions are affordable. Each case reconfigures the manager
(0–3 children, fallbacks, evaluation mode, short timeouts, applicable
conditions whose stoppers stop, pass or raise, inline or on the worker
threads), gives each child
a random script (verdicts, modifications at any stage, `f`/`4`, garbage,
oversized or empty frames, closes, silence, delays) and plays one MTA
session built from the usual command order with random insertions, drops,
swaps and garbage, sent one command at a time or in pipelined bursts.

What must hold whatever the input (protocol.md §13, manager.md §2, §9):

* every MTA command except `D`, `A`, `Q`, `K` gets exactly one final reply,
  within the children's timeouts (else `Hang`), and nothing is written after
  it that was not asked for;
* the reply to `O` is an `O` without NO_REPLY bits (P5); modifications come
  only before the final end-of-message reply, only with the action bits the
  manager negotiated (§11.2), `q` last;
* the manager closes the MTA connection only after `Q`/`K`, or after a frame
  that does not decode (P2);
* when the session ends every child connection is closed, nothing is sent
  to a child after its `Q`, and the manager holds no session;
* no internal error: no critical log line, no exception in a loop callback.
"""

from __future__ import annotations

import logging
import random
import socket
import struct
import time
import zlib
from types import SimpleNamespace
from typing import Any

from milter_manager.manager import Manager, ManagerLog
from milter_manager.manager.log import CRITICAL
from milter_manager.manager.loop import EVENT_READ, EVENT_WRITE, EventLoop
from milter_manager.protocol import (
    COMMANDS,
    MACRO_CONTEXTS,
    REPLIES,
    FrameReader,
    ProtocolError,
    flags,
)
from milter_manager.protocol import commands as cmd
from milter_manager.protocol import replies as rep

from .common import Hang, Violation

#: The verdicts a final reply may carry (protocol.md §8.2: never `s`).
FINAL = frozenset(b"cartdy")
#: Modifications the MTA may see while its `E` is pending, with the action
#: bit of the manager's own negotiate reply each needs (protocol.md §11.2).
MODIFICATION_ACTION = {
    ord("h"): flags.ADD_HEADERS, ord("i"): flags.ADD_HEADERS, ord("m"): flags.CHANGE_HEADERS,
    ord("e"): flags.CHANGE_ENVELOPE_FROM, ord("+"): flags.ADD_ENVELOPE_RECIPIENT,
    ord("2"): flags.ADD_ENVELOPE_RECIPIENT, ord("-"): flags.DELETE_ENVELOPE_RECIPIENT,
    ord("b"): flags.CHANGE_BODY, ord("q"): 0, ord("p"): 0,
}
REPLY_EXPECTED = frozenset(b"OCHMRTLNBEU")
STATUSES = ("accept", "reject", "temporary-failure", "discard")
#: Per-case time limit: far above every timeout configured below.
CASE_LIMIT = 10.0


# --- random values ---------------------------------------------------------------

def text(rng: random.Random, limit: int = 24) -> bytes:
    """Bytes without NUL (what a string field may hold), now and then empty
    or not ASCII."""
    roll = rng.random()
    if roll < 0.05:
        return b""
    if roll < 0.15:
        return bytes(rng.randrange(1, 256) for _ in range(rng.randint(1, limit)))
    return bytes(rng.choice(b"abcdefghijklmnopqrstuvwxyz0123456789.-@<> ")
                 for _ in range(rng.randint(1, limit)))


def macros(rng: random.Random) -> dict[bytes, bytes]:
    names = [b"j", b"i", b"{daemon_name}", b"{auth_type}", b"{mail_addr}", b"{rcpt_addr}",
             b"v", b"_", b"{client_addr}"]
    return {rng.choice(names) if rng.random() < 0.8 else text(rng, 8) or b"x": text(rng)
            for _ in range(rng.randint(0, 4))}


def connect_command(rng: random.Random) -> cmd.Connect:
    family = rng.choice([b"4", b"4", b"6", b"L", b"U"])
    if family == b"4":
        address = rng.choice([b"192.0.2.%d" % rng.randrange(256), b"127.0.0.1",
                              text(rng) or b"x"])
    elif family == b"6":
        address = rng.choice([b"IPv6:2001:db8::1", b"::1", text(rng) or b"x"])
    elif family == b"L":
        address = rng.choice([b"/run/postfix/sock", text(rng, 200) or b"x"])
    else:
        address = b""
    return cmd.Connect(text(rng) or b"host", family, rng.randrange(65536), address)


def body_chunk(rng: random.Random) -> bytes:
    roll = rng.random()
    if roll < 0.02:
        return bytes(rng.randrange(256) for _ in range(64)) * rng.randint(1100, 1700)
    if roll < 0.05:
        return b""
    return b"line %d\r\n" % rng.randrange(1000) * rng.randint(1, 40)


def mta_command(rng: random.Random, code: bytes) -> Any:
    """One command of kind `code` with random arguments."""
    if code == b"O":
        version = rng.choice([6, 6, 6, 2, 3, 4, 5, rng.randrange(0, 10)])
        actions = rng.choice([0x1FF, 0x1FF, 0x13F, rng.randrange(0x200)])
        steps = rng.choice([0x1FFFFF, 0x7F, 0, rng.randrange(0x200000)])
        return cmd.Negotiate(version, actions, steps)
    if code == b"C":
        return connect_command(rng)
    if code == b"H":
        return cmd.Helo(text(rng) or b"h")
    if code == b"M":
        return cmd.EnvelopeFrom(text(rng) or b"<>", tuple(text(rng, 10) or b"X=1"
                                                         for _ in range(rng.randint(0, 2))))
    if code == b"R":
        return cmd.EnvelopeRecipient(text(rng) or b"<r>", tuple(
            text(rng, 10) or b"X=1" for _ in range(rng.randint(0, 1))))
    if code == b"L":
        name = rng.choice([b"From", b"To", b"Subject", b"X-Test", b"Received", text(rng, 10)])
        return cmd.Header(name or b"X", rng.choice([b"", b" leading", text(rng, 60)]))
    if code == b"B":
        return cmd.Body(body_chunk(rng))
    if code == b"E":
        return cmd.EndOfMessage(rng.choice([b"", b"", b"tail\r\n"]))
    if code == b"U":
        return cmd.Unknown(text(rng) or b"HELP")
    if code == b"D":
        context = rng.choice(MACRO_CONTEXTS)
        return cmd.DefineMacro(bytes((context,)), macros(rng))
    return {b"T": cmd.Data, b"N": cmd.EndOfHeader, b"A": cmd.Abort, b"Q": cmd.Quit,
            b"K": cmd.QuitNewConnection}[code]()


def garbage_frame(rng: random.Random) -> bytes:
    """A frame the MTA side cannot decode (or may not: it is checked)."""
    kind = rng.randrange(5)
    if kind == 0:
        return b"\0\0\0\0"                                        # empty frame
    if kind == 1:
        return struct.pack(">I", (64 << 20) + 1 + rng.randrange(1000))   # too large
    if kind == 2:
        code = rng.choice(b"ZXYzacr\xff\0")
        return struct.pack(">I", 2) + bytes((code,)) + b"x"       # unknown command
    if kind == 3:
        return struct.pack(">I", 3) + b"C\0\0"                    # connect without fields
    return bytes(rng.randrange(256) for _ in range(rng.randint(1, 12)))


def mta_session(rng: random.Random) -> tuple[list[bytes], str]:
    """The frames of one MTA session and how it ends (`quit`, `eof`, `garbage`)."""
    codes = [b"O"]
    if rng.random() < 0.9:
        codes += [b"C"]
    if rng.random() < 0.8:
        codes += [b"H"]
    for _ in range(rng.choice([0, 1, 1, 1, 2, 3])):
        message = [b"M"] + [b"R"] * rng.choice([0, 1, 1, 2, 3])
        if rng.random() < 0.85:
            message.append(b"T")
        message += [b"L"] * rng.randint(0, 4)
        message.append(b"N")
        message += [b"B"] * rng.choice([0, 1, 1, 2, 3])
        message.append(b"E")
        if rng.random() < 0.1:
            message.insert(rng.randrange(1, len(message) + 1), b"A")
        codes += message
    noisy: list[bytes] = []
    for code in codes:
        roll = rng.random()
        if roll < 0.05:
            continue                                   # dropped
        if roll < 0.12:
            noisy.append(rng.choice(b"OCHMRTLNBEUA").to_bytes(1, "big"))
        if rng.random() < 0.25 and code in b"CHMRTLNBE":
            noisy.append(b"D")
        noisy.append(code)
    for _ in range(2 if noisy and rng.random() < 0.1 else 0):
        i, j = rng.randrange(len(noisy)), rng.randrange(len(noisy))
        noisy[i], noisy[j] = noisy[j], noisy[i]
    frames = [mta_command(rng, code).encode() for code in noisy]
    roll = rng.random()
    if roll < 0.6:
        end = "quit"
        frames.append(mta_command(rng, rng.choice([b"Q", b"Q", b"K"])).encode())
    elif roll < 0.85:
        end = "eof"
    else:
        end = "garbage"
        frames.insert(rng.randrange(len(frames) + 1), garbage_frame(rng))
    return frames, end


# --- applicable conditions ---------------------------------------------------------------

STOPPER_STAGES = ("connect", "helo", "envelope_from", "envelope_recipient", "data", "header",
                  "end_of_header", "body", "end_of_message")


def stopper(kind: str, inline: bool) -> Any:
    """A stopper (manager.md §12): stops, passes, raises, or decides by its
    arguments; `inline` ones run on the loop, the others on worker threads."""
    def decide(context: Any, *args: Any) -> Any:
        if kind == "stop":
            return True
        if kind == "pass":
            return None
        if kind == "raise":
            raise RuntimeError("the stopper failed")
        return zlib.crc32(repr(args).encode()) % 2 == 0
    decide.inline = inline
    return decide


class Condition:
    """An applicable condition with random stoppers for random stages."""

    def __init__(self, rng: random.Random) -> None:
        self.name = "fuzz"
        self.stoppers = {stage: [stopper(rng.choice(["stop", "pass", "raise", "mixed"]),
                                         rng.random() < 0.5)]
                         for stage in rng.sample(STOPPER_STAGES, rng.randint(1, 3))}

    def stoppers_for(self, stage: str) -> list[Any]:
        return self.stoppers.get(stage, [])


# --- the children -------------------------------------------------------------------

def negotiate_reply(rng: random.Random, offered: Any) -> bytes:
    version = rng.choice([6, 6, offered.version, 2, 4, rng.randrange(0, 12)])
    actions = rng.choice([0, 0x1FF, rng.randrange(0x200)])
    steps = rng.choice([0, offered.steps, offered.steps & rng.randrange(0x200000),
                        rng.randrange(0x200000)])
    requests = tuple((rng.choice([0, 1, 2, 3, 4, 5, 6, 9]),
                      tuple(rng.choice([b"j", b"{daemon_name}", b"i", b"{auth_type}", b"x"])
                            for _ in range(rng.randint(0, 3))))
                     for _ in range(rng.choice([0, 0, 1, 2])))
    return rep.NegotiateReply(version, actions, steps, requests).encode()


def reply_code(rng: random.Random) -> bytes:
    text_ = rng.choice([b"554 5.7.1 rejected here", b"451 4.7.1 try later", b"550 no thanks",
                        b"554 4.7.1 class mismatch", b"550-5.7.1 first\n550 5.7.1 second",
                        b"421 4.3.2 closing", b"25", b"abc", b"554 5.7.1 1% 2%%"])
    return struct.pack(">I", len(text_) + 2) + b"y" + text_ + b"\0"


def modification(rng: random.Random) -> bytes:
    kind = rng.randrange(9)
    if kind == 0:
        return rep.AddHeader(text(rng, 10) or b"X-A", text(rng)).encode()
    if kind == 1:
        return rep.InsertHeader(rng.randrange(5), text(rng, 10) or b"X-I", text(rng)).encode()
    if kind == 2:
        return rep.ChangeHeader(rng.randrange(4), rng.choice([b"Subject", b"From", b"X-A"]),
                                rng.choice([b"", text(rng)])).encode()
    if kind == 3:
        return rep.ChangeFrom(text(rng) or b"<f>", rng.choice([b"", b"SIZE=1"])).encode()
    if kind == 4:
        return rep.AddRecipient(text(rng) or b"<r>", rng.choice([b"", b"NOTIFY=NEVER"])).encode()
    if kind == 5:
        return rep.DeleteRecipient(text(rng) or b"<r>").encode()
    if kind == 6:
        return rep.ReplaceBody(rng.choice([b"", b"new body\r\n" * rng.randint(1, 30)])).encode()
    if kind == 7:
        return rep.Quarantine(text(rng) or b"q").encode()
    return rep.Progress().encode()


VERDICTS = [b"\0\0\0\x01c"] * 45 + [b"\0\0\0\x01a"] * 6 + [b"\0\0\0\x01r"] * 6 + \
    [b"\0\0\0\x01t"] * 5 + [b"\0\0\0\x01d"] * 4 + [b"\0\0\0\x01s"] * 4


class ChildScript:
    """What one child connection answers to each command (a `random.Random`)."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def answer(self, packet: Any) -> tuple[str, bytes, float]:
        """(`send`|`close`|`silent`|`garbage-close`, bytes to send, delay)."""
        rng = self.rng
        delay = rng.choice([0.0] * 40 + [0.001, 0.005])
        if type(packet) is cmd.Negotiate and rng.random() < 0.85:
            return "send", negotiate_reply(rng, packet), delay
        roll = rng.random()
        if roll < 0.55:
            return "send", rng.choice(VERDICTS), delay
        if roll < 0.62:
            return "send", reply_code(rng), delay
        if roll < 0.72:
            mods = b"".join(modification(rng) for _ in range(rng.randint(1, 3)))
            return "send", mods + rng.choice(VERDICTS), delay
        if roll < 0.74:
            return "send", rep.Progress().encode() + b"\0\0\0\x01c", delay
        if roll < 0.76:
            return "send", rng.choice([b"\0\0\0\x01f", b"\0\0\0\x014"]), delay
        if roll < 0.78:
            return "send", b"\0\0\0\x01c" * 2, delay          # one reply too many
        if roll < 0.80:
            return "send", rep.NegotiateReply(6, 0, 0).encode(), delay
        if roll < 0.83:
            return "send", garbage_frame(rng), delay
        if roll < 0.85:
            return "garbage-close", b"\0\0\0\x09c", delay       # partial frame, then close
        if roll < 0.87:
            return "close", b"", delay
        if roll < 0.885:
            return "silent", b"", delay                       # the reading timeout fires
        if roll < 0.9:                                        # late, maybe too late
            return "send", b"\0\0\0\x01c", rng.choice([0.005, 0.015, 0.04])
        return "send", b"\0\0\0\x01c", delay


class ChildConnection:
    """One connection from the manager to a fuzz child, on the bench's loop."""

    def __init__(self, bench: Bench, sock: socket.socket, script: ChildScript) -> None:
        self.bench = bench
        self.sock = sock
        self.script = script
        self.reader = FrameReader(COMMANDS)
        self.out = bytearray()
        self.quit = False
        self.closed = False       # by us
        self.eof = False          # the manager closed it
        self.events = EVENT_READ
        sock.setblocking(False)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        bench.loop.watch(sock, EVENT_READ, self)

    def handle_read(self) -> None:
        if self.closed:
            return
        try:
            data = self.sock.recv(262144)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data = b""
        if not data:
            self.eof = True
            self.close()
            return
        if self.quit:
            raise Violation(f"data sent to a child after its Q: {data[:40]!r}")
        try:
            packets = self.reader.feed(data)
        except ProtocolError as error:
            raise Violation(f"the manager sent a child an undecodable frame: {error}") from None
        for packet in packets:
            code = packet.wire_code
            if code in (b"D", b"A"):
                continue
            if code in (b"Q", b"K"):
                self.quit = True
                continue
            action, payload, delay = self.script.answer(packet)
            if delay:
                self.bench.loop.call_later(delay, self.act, action, payload)
            else:
                self.act(action, payload)

    def act(self, action: str, payload: bytes) -> None:
        if self.closed:
            return
        if action == "silent":
            return
        if action == "close":
            self.close()
            return
        self.out += payload
        self.handle_write()
        if action == "garbage-close":
            self.close()

    def handle_write(self) -> None:
        if self.closed:
            return
        while self.out:
            try:
                n = self.sock.send(self.out)
            except (BlockingIOError, InterruptedError):
                break
            except OSError:
                self.out.clear()
                return
            del self.out[:n]
        wanted = EVENT_READ | (EVENT_WRITE if self.out else 0)
        if wanted != self.events:
            self.events = wanted
            self.bench.loop.modify(self.sock, wanted, self)

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            self.bench.loop.unwatch(self.sock)
            self.sock.close()


class ChildServer:
    """A listening socket on the loop; each connection gets the next script."""

    def __init__(self, bench: Bench) -> None:
        self.bench = bench
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(128)
        self.sock.setblocking(False)
        self.spec = f"inet:{self.sock.getsockname()[1]}@[127.0.0.1]"
        self.rng: random.Random | None = None
        bench.loop.watch(self.sock, EVENT_READ, self)

    def handle_read(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except (BlockingIOError, InterruptedError):
                return
            rng = random.Random(self.rng.random() if self.rng else 0)
            self.bench.children.append(ChildConnection(self.bench, conn, ChildScript(rng)))

    def handle_write(self) -> None:  # pragma: no cover - never watched for write
        pass


# --- the MTA --------------------------------------------------------------------------

class MtaConnection:
    """The fake MTA's socket on the loop: buffered writes, decoded replies."""

    def __init__(self, bench: Bench, port: int) -> None:
        self.bench = bench
        self.sock = socket.create_connection(("127.0.0.1", port))
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)   # as MTAs do
        self.sock.setblocking(False)
        self.reader = FrameReader(REPLIES)
        self.frames: list[Any] = []
        self.out = bytearray()
        self.eof = False
        self.events = EVENT_READ
        bench.loop.watch(self.sock, EVENT_READ, self)

    def send(self, data: bytes) -> None:
        self.out += data
        self.handle_write()

    def handle_write(self) -> None:
        while self.out and not self.eof:
            try:
                n = self.sock.send(self.out)
            except (BlockingIOError, InterruptedError):
                break
            except OSError:
                self.out.clear()
                break
            del self.out[:n]
        wanted = EVENT_READ | (EVENT_WRITE if self.out else 0)
        if wanted != self.events and not self.eof:
            self.events = wanted
            self.bench.loop.modify(self.sock, wanted, self)

    def handle_read(self) -> None:
        try:
            data = self.sock.recv(262144)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data = b""
        if not data:
            self.eof = True
            self.bench.loop.unwatch(self.sock)
            return
        try:
            self.frames += self.reader.feed(data)
        except ProtocolError as error:
            raise Violation(f"the manager sent the MTA an undecodable frame: {error}") from None

    def close(self) -> None:
        self.bench.loop.unwatch(self.sock)
        self.sock.close()


# --- the bench --------------------------------------------------------------------------

class _Capture(logging.Handler):
    def __init__(self, bench: Bench) -> None:
        super().__init__(logging.ERROR)
        self.bench = bench

    def emit(self, record: logging.LogRecord) -> None:
        self.bench.problems.append(self.format(record))


class Bench:
    """A manager, three fuzz children and a unix path nobody listens on."""

    N_CHILDREN = 3

    def __init__(self) -> None:
        self.loop = EventLoop()
        self.problems: list[str] = []
        self.children: list[ChildConnection] = []
        self.servers = [ChildServer(self) for _ in range(self.N_CHILDREN)]
        self.handler = _Capture(self)
        self.handler.setFormatter(logging.Formatter("%(message)s"))
        logging.getLogger("milter_manager.manager.loop").addHandler(self.handler)
        self.manager = Manager(self.configuration(random.Random(0)), "inet:0@[127.0.0.1]",
                               loop=self.loop, log=ManagerLog(0x3FF, self._sink),
                               retry_connect_time=0.02, privilege_mode=False)
        self.manager.start()

    def _sink(self, level: int, domain: str, message: str) -> None:
        if level == CRITICAL:
            self.problems.append(message)

    def configuration(self, rng: random.Random) -> SimpleNamespace:
        eggs = []
        for i in range(rng.choice([0, 1, 2, 2, 3, 3])):
            roll = rng.random()
            if roll < 0.03:
                spec = "unix:/nonexistent/fuzz-child.sock"     # immediate failure, retry
            elif roll < 0.06:
                spec = "inet:1@[127.0.0.1]"                    # refused
            else:
                spec = self.servers[i].spec
            eggs.append(SimpleNamespace(
                name=f"child{i}", connection_spec=spec, enabled=rng.random() < 0.95,
                fallback_status=rng.choice(STATUSES), evaluation_mode=rng.random() < 0.15,
                connection_timeout=0.5, writing_timeout=0.2, reading_timeout=0.02,
                end_of_message_timeout=0.03, command=None, command_options=None,
                user_name=None,
                applicable_conditions=[Condition(rng)] if rng.random() < 0.2 else []))
        manager = SimpleNamespace(
            fallback_status=rng.choice(STATUSES),
            fallback_status_at_disconnect="temporary-failure",
            chunk_size=rng.choice([65535, 65535, 1, 7, 1024]), max_connections=0,
            suspend_time_on_unacceptable=5, maintenance_interval=10,
            max_pending_finished_sessions=0, connection_check_interval=0,
            packet_buffer_size=0, connection_spec="inet:0@[127.0.0.1]")
        return SimpleNamespace(manager=manager, eggs=eggs, connection_checkers={},
                               maintained_hooks=[],
                               security=SimpleNamespace(privilege_mode=False))

    def run_until(self, predicate: Any, limit: float) -> bool:
        loop = self.loop
        while not predicate():
            if time.monotonic() > limit:
                return False
            loop.run_once(max_wait=0.01)
        return True

    def describe(self) -> str:
        """The state of the sessions in progress (for a hang report)."""
        parts = []
        for session in self.manager.sessions:
            children = session.children
            parts.append(f"pending={session.pending!r:.80} queue={len(session.queue)} "
                         f"negotiating={children._negotiate_pending} stage={children._stage!r} "
                         f"waiting={children._waiting} chain_busy={children.chain_pending()}")
            for child in children.children:
                parts.append(
                    f"  {child.name} {child.egg.connection_spec} quit={child.quit} "
                    f"negotiated={child.negotiated} done={child.negotiation_done} "
                    f"expect={[(e.code, e.cancelled) for e in child.expect]} "
                    f"unflushed={len(child.unflushed)} wait_gen={child.wait_gen} "
                    f"connector={child.connector is not None} retried={child.retried} "
                    f"stream={None if child.stream is None else child.stream.closed} "
                    f"deadline={child.deadline.armed}")
        return "\n".join(parts) or "no session"

    def close(self) -> None:
        logging.getLogger("milter_manager.manager.loop").removeHandler(self.handler)
        self.manager._close_all()
        for server in self.servers:
            self.loop.unwatch(server.sock)
            server.sock.close()
        for child in self.children:
            child.close()
        self.loop.close()

    # -- one case -------------------------------------------------------------------------

    def run_case(self, rng: random.Random) -> None:
        self.problems.clear()
        self.children = []
        self.manager.reload(self.configuration(rng))
        for server in self.servers:
            server.rng = random.Random(rng.random())
        frames, end = mta_session(rng)
        limit = time.monotonic() + CASE_LIMIT
        mta = MtaConnection(self, self.manager.port)
        try:
            self._play(rng, mta, frames, end, limit)
        finally:
            mta.close()
        if not self.run_until(lambda: not self.manager.sessions, limit):
            raise Hang(f"the session never ended ({end}); {self.describe()}")
        if not self.run_until(lambda: all(c.closed for c in self.children), limit):
            open_ = sum(not c.closed for c in self.children)
            raise Violation(f"{open_} child connection(s) left open after the session")
        if self.problems:
            raise Violation("internal error: " + self.problems[0])

    def _play(self, rng: random.Random, mta: MtaConnection, frames: list[bytes], end: str,
              limit: float) -> None:
        actions = [0]               # the action bits of the manager's negotiate reply
        pending: list[bytes] = []   # pipelined commands awaiting their reply
        broken = None               # how the last frame failed to decode, if it did
        for data in frames:
            try:
                packets = FrameReader(COMMANDS).feed(data)
                broken = None if len(packets) == 1 else "incomplete"
            except ProtocolError:
                broken = "decode error"
            code = packets[0].wire_code if broken is None else b""
            if pending and (broken or code in (b"A", b"Q", b"K")):
                # A, Q, K and a close cancel a pending reply (manager.md §2 step 4)
                self._replies(mta, pending, actions, limit)
                pending = []
            mta.send(data)
            if broken:
                break
            if code[0] in REPLY_EXPECTED:
                pending.append(code)
            elif code in (b"Q", b"K"):
                break
            if pending and (rng.random() < 0.75 or len(pending) > 4):
                self._replies(mta, pending, actions, limit)
                pending = []
        if pending:
            self._replies(mta, pending, actions, limit)
        if end == "eof" or (end == "quit" and rng.random() < 0.2):
            return                      # the MTA just goes away
        if broken == "incomplete":
            mta.sock.shutdown(socket.SHUT_WR)   # EOF inside a frame: a decode error too
        if not self.run_until(lambda: mta.eof, limit):
            raise Hang(f"the manager did not close the MTA connection ({end}, {broken})")
        if mta.frames:
            raise Violation(f"unasked frames before the close: {mta.frames[:3]!r}")

    def _replies(self, mta: MtaConnection, codes: list[bytes], actions: list[int],
                 limit: float) -> None:
        for code in codes:
            if not self.run_until(lambda: _final_index(mta.frames) is not None or mta.eof,
                                  limit):
                raise Hang(f"no reply to {code!r}; {self.describe()}")
            index = _final_index(mta.frames)
            if index is None:
                raise Violation(f"the manager closed the MTA connection while {code!r} "
                                "waited for its reply")
            got, mta.frames = mta.frames[:index + 1], mta.frames[index + 1:]
            _check_reply(code, got, actions)
        self.loop.run_once(max_wait=0)
        if mta.frames:
            raise Violation(f"unasked frames: {mta.frames[:3]!r}")


def _final_index(frames: list[Any]) -> int | None:
    for i, frame in enumerate(frames):
        if frame.wire_code == b"O" or frame.wire_code[0] in FINAL:
            return i
    return None


def _check_reply(code: bytes, got: list[Any], actions: list[int]) -> None:
    final, modifications = got[-1], got[:-1]
    if code == b"O":
        if final.wire_code != b"O" or modifications:
            raise Violation(f"negotiate answered with {got!r}")
        if final.steps & flags.NO_REPLY_MASK:
            raise Violation(f"NO_REPLY bits offered to the MTA: {final.steps:#x}")   # P5
        actions[0] = final.actions
        return
    if final.wire_code == b"O":
        raise Violation(f"{code!r} answered with a negotiate reply")
    if modifications and code != b"E":
        raise Violation(f"modifications before the reply to {code!r}: {modifications!r}")
    for i, packet in enumerate(modifications):
        needed = MODIFICATION_ACTION.get(packet.wire_code[0])
        if needed is None:
            raise Violation(f"{packet!r} sent to the MTA at end-of-message")
        if needed and not actions[0] & needed:
            raise Violation(f"{packet!r} without its action bit in {actions[0]:#x}")
        if packet.wire_code == b"q" and i != len(modifications) - 1:
            raise Violation("quarantine is not the last modification")
        if packet.wire_code == b"b" and len(packet.chunk) > 65535:
            raise Violation("replace-body frame above 65535 bytes")


_bench: Bench | None = None


def bench() -> Bench:
    """The process's bench (made on first use; a worker keeps it for all cases)."""
    global _bench
    if _bench is None:
        _bench = Bench()
    return _bench


def run_case(rng: random.Random) -> None:
    bench().run_case(rng)


def open_descriptors() -> int:
    """The number of open file descriptors of this process."""
    import psutil
    return psutil.Process().num_fds()


__all__ = ["Bench", "bench", "open_descriptors", "run_case"]
