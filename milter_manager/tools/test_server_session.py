"""One `milter-test-server` session: the MTA side of one milter connection.

tools.md §1.4: connect, negotiate, then send the commands the milter's
negotiate reply asks for, wait for the replies it does not waive, and turn
the replies into a status and a result message (§1.5). It runs on the
manager's event loop (`manager.loop`, `manager.connection`) and the codec,
so N sessions (`--threads`) share one loop and no thread.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from milter_manager.config.connection_spec import ConnectionSpec
from milter_manager.manager.connection import ConnectResult, Stream, connect_stream
from milter_manager.manager.log import DEBUG, ERROR, ManagerLog
from milter_manager.manager.loop import EventLoop
from milter_manager.protocol import flags
from milter_manager.protocol.commands import (
    Abort,
    Body,
    Connect,
    Data,
    EndOfHeader,
    EndOfMessage,
    EnvelopeFrom,
    EnvelopeRecipient,
    Header,
    Helo,
    Negotiate,
    Quit,
    Unknown,
)
from milter_manager.protocol.errors import ProtocolError
from milter_manager.protocol.frames import REPLIES, FrameReader
from milter_manager.protocol.macros import strip_braces
from milter_manager.protocol.replies import (
    AddHeader,
    AddRecipient,
    ChangeFrom,
    ChangeHeader,
    DeleteRecipient,
    InsertHeader,
    NegotiateReply,
    Progress,
    Quarantine,
    ReplaceBody,
)
from milter_manager.protocol.reply_code import ReplyCode
from milter_manager.protocol.wire import frame

from .test_server_message import Message

#: tools.md §1.4 step 2: every action the tool can apply.
OFFERED_ACTIONS = flags.ALL_ACTIONS
#: Every step bit the tool knows: all no-* and no-reply-* bits, skip,
#: envelope-recipient-rejected, header-value-with-leading-space.
OFFERED_STEPS = flags.ALL_STEPS

MODIFICATIONS = (AddHeader, InsertHeader, ChangeHeader, ChangeFrom, AddRecipient,
                 DeleteRecipient, ReplaceBody, Quarantine)
#: tools.md §1.4 step 4: the status a verdict reply ends the session with.
FINAL_STATUS = {b"a": "accept", b"d": "discard", b"r": "reject", b"t": "temporary-failure",
                b"f": "error", b"4": "abort"}


@dataclass
class Plan:
    """The session's input, fixed before it starts (every session of `--threads` alike)."""

    name: str
    spec: ConnectionSpec
    version: int
    connect: Connect
    helo: bytes
    message: Message                    # original envelope, headers, body
    body_chunks: list[bytes]
    unknown: bytes | None
    #: macros(context, recipient) -> the stage's (name, value) list (tools.md §1.2)
    macros: Callable[[bytes, bytes | None], list[tuple[bytes, bytes]]]
    connection_timeout: float
    reading_timeout: float
    writing_timeout: float
    end_of_message_timeout: float


@dataclass
class Result:
    """What the output prints (tools.md §1.6, §1.7)."""

    connected: bool = False
    error: str | None = None            # replaces the status block
    status: str = "pass"
    reply_code: ReplyCode | None = None
    quarantine_reason: bytes | None = None
    elapsed: float = 0.0
    original: Message | None = None
    result: Message | None = None


@dataclass
class Step:
    """One command to send: its macro context, its packet, whether a reply is awaited."""

    stage: str                          # command nick: "connect", "body", …
    context: bytes | None               # the `D` context sent before it, if any
    command: Any
    wait: bool
    recipient: bytes | None = None
    macros: list[tuple[bytes, bytes]] = field(default_factory=list)


def define_macro_frame(context: bytes, macros: list[tuple[bytes, bytes]]) -> bytes:
    """A `D` with each NAME exactly as given (tools.md §1.1), empty names skipped."""
    payload = [context]
    for name, value in macros:
        if name:
            payload += (name, b"\0", value, b"\0")
    return frame(b"D", b"".join(payload))


class Session:
    """Plays one session against the milter; `on_done(Result)` when it is over."""

    def __init__(self, loop: EventLoop, plan: Plan, log: ManagerLog,
                 on_done: Callable[[Result], Any]) -> None:
        self.loop = loop
        self.plan = plan
        self.log = log
        self.on_done = on_done
        self.outcome = Result(original=plan.message, result=plan.message.copy())
        self.reader = FrameReader(REPLIES)
        self.stream: Stream | None = None
        self.started = 0.0
        self.steps: list[Step] = []
        self.position = -1              # index in steps of the command being answered
        self.waiting: str | None = None  # stage nick whose reply is awaited
        self.deadline = loop.deadline(self._read_timed_out)
        self.version = plan.version
        self.done = False

    # -- connecting -------------------------------------------------------------
    def start(self) -> None:
        spec = self.plan.spec
        connect_stream(self.loop, spec.socket_family, spec.socket_address(),
                       self.plan.connection_timeout, self._connected)

    def _connected(self, result: ConnectResult) -> None:
        if result.sock is None:
            error = result.error
            if isinstance(error, TimeoutError):
                self._end(error="connection timeout")
                return
            reason = getattr(error, "strerror", None) or str(error)
            message = f"Failed to connect to {self.plan.spec.text}: {reason}"
            self.log.log(ERROR, f"[server][error][connect] [{self.plan.name}] {message}",
                         "milter-server")
            self._end(error=message)
            return
        self.outcome.connected = True
        self.stream = Stream(self.loop, result.sock, self)
        self.stream.set_write_timeout(self.plan.writing_timeout, self._write_timed_out)
        self.started = time.monotonic()   # §1.4 step 2: the elapsed-time timer
        self._send(Negotiate(self.plan.version & 0xFFFFFFFF, OFFERED_ACTIONS,
                             OFFERED_STEPS).encode())
        self._wait("negotiate", self.plan.reading_timeout)

    # -- the command sequence (§1.4 step 3) ----------------------------------------
    def _plan_steps(self, reply: NegotiateReply) -> None:
        steps = OFFERED_STEPS & reply.steps
        self.version = min(self.plan.version, reply.version)
        requested: dict[bytes, list[bytes]] = {}
        for stage, symbols in reply.macro_requests:
            context = flags.COMMAND_OF_STAGE.get(stage)
            if context is not None:
                requested.setdefault(context, []).extend(symbols)
        plan = self.plan
        message = plan.message
        todo: list[tuple[str, bytes, Any, bytes | None]] = [
            ("connect", b"C", plan.connect, None),
            ("helo", b"H", Helo(plan.helo), None),
            ("envelope-from", b"M", EnvelopeFrom(message.sender), None),
        ]
        todo += [("envelope-recipient", b"R", EnvelopeRecipient(recipient), recipient)
                 for recipient in message.recipients]
        if plan.unknown is not None and self.version >= 3:
            todo.append(("unknown", b"U", Unknown(plan.unknown), None))
        if self.version >= 4:
            todo.append(("data", b"T", Data(), None))
        todo += [("header", b"L", Header(name, value), None) for name, value in message.headers]
        todo.append(("end-of-header", b"N", EndOfHeader(), None))
        todo += [("body", b"B", Body(chunk), None) for chunk in plan.body_chunks]
        for stage, code, command, recipient in todo:
            if steps & flags.NO_EVENT_OF_COMMAND[code]:
                continue   # the milter turned this command off
            wait = not steps & flags.NO_REPLY_OF_COMMAND[code]
            context = code if code in flags.STAGE_OF_COMMAND else None
            macros = _with_requests(plan.macros(code, recipient), requested.get(code, ())) \
                if context else []
            self.steps.append(Step(stage, context, command, wait, recipient, macros))
        eom_macros = _with_requests(plan.macros(b"E", None), requested.get(b"E", ()))
        self.steps.append(Step("end-of-message", b"E", EndOfMessage(), True, None, eom_macros))

    def _next(self) -> None:
        """Send commands until one needs a reply (NO_REPLY ones do not wait)."""
        while not self.done:
            self.position += 1
            step = self.steps[self.position]
            data = step.command.encode()
            if step.macros:
                data = define_macro_frame(step.context, step.macros) + data
            self._send(data)
            if self.log.enabled(DEBUG):
                self.log.log(DEBUG, f"[server][send][{step.stage}] [{self.plan.name}]",
                             "milter-server")
            if step.wait:
                timeout = self.plan.end_of_message_timeout if step.stage == "end-of-message" \
                    else self.plan.reading_timeout
                self._wait(step.stage, timeout)
                return

    def _skip_body(self) -> None:
        """A skip reply: no more body chunks; end-of-message is next."""
        while self.steps[self.position + 1].stage == "body":
            self.position += 1

    # -- replies (§1.4 step 4) --------------------------------------------------------
    def _reply(self, packet: Any) -> None:
        stage = self.waiting
        if self.log.enabled(DEBUG):
            self.log.log(DEBUG, f"[server][receive][{packet.nick}] [{self.plan.name}]",
                         "milter-server")
        if stage is None:
            # protocol.md §7: a reply nothing waits for is ignored.
            self.log.log(DEBUG, f"[server][reply][ignored][{packet.nick}] [{self.plan.name}]",
                         "milter-server")
            return
        code = packet.wire_code
        if stage == "negotiate" and isinstance(packet, NegotiateReply):
            self._negotiated(packet)
        elif stage == "negotiate" and code not in FINAL_STATUS and code not in b"rty":
            raise ProtocolError(f"unexpected reply was received at <negotiate>: {packet.nick}")
        elif isinstance(packet, MODIFICATIONS + (Progress,)):
            if stage != "end-of-message":
                raise ProtocolError(f"<{packet.nick}> should be caused on <end-of-message> "
                                    f"but was <{stage}>")
            self._end_of_message_action(packet)
        elif code == b"c":
            if stage == "end-of-message":
                self._finish(abort=False)   # after the end-of-message reply: quit
            else:
                self._next()
        elif code == b"s":
            if stage != "body":
                raise ProtocolError(f"<skip> should be caused on <body> but was <{stage}>")
            self._skip_body()
            self._next()
        elif code in (b"r", b"t", b"y"):
            self._reject(packet)
        elif code in FINAL_STATUS:
            self.outcome.status = FINAL_STATUS[code]
            self._finish(abort=True)
        else:
            raise ProtocolError(f"unexpected reply was received at <{stage}>: {packet.nick}")

    def _negotiated(self, reply: NegotiateReply) -> None:
        self._plan_steps(reply)
        self._next()

    def _end_of_message_action(self, packet: Any) -> None:
        if isinstance(packet, Progress):
            self.deadline.arm(self.plan.end_of_message_timeout)   # the wait goes on
        elif isinstance(packet, Quarantine):
            self.outcome.status = "quarantine"
            self.outcome.quarantine_reason = packet.reason
        else:
            assert self.outcome.result is not None
            self.outcome.result.apply(packet)

    def _reject(self, packet: Any) -> None:
        if isinstance(packet, ReplyCode):
            self.outcome.reply_code = packet
            status = "temporary-failure" if packet.code < 500 else "reject"
        else:
            status = "reject" if packet.wire_code == b"r" else "temporary-failure"
        step = self.steps[self.position] if self.position >= 0 else None
        if step is not None and step.stage == "envelope-recipient":
            # Only this recipient is refused; the message goes on while one is left.
            result = self.outcome.result
            assert result is not None
            if step.recipient in result.recipients:
                result.recipients.remove(step.recipient)
            if result.recipients:
                self._next()
                return
        self.outcome.status = status
        self._finish(abort=True)

    # -- stream callbacks ----------------------------------------------------------------
    def data_received(self, data: bytes) -> None:
        if self.done:
            return
        try:
            packets = self.reader.feed(data)
        except ProtocolError as error:
            packets = error.packets
            failure: ProtocolError | None = error
        else:
            failure = None
        try:
            for packet in packets:
                if self.done:
                    return
                self._reply(packet)
        except ProtocolError as error:
            failure = error
        if failure is not None and not self.done:
            self._fail(str(failure))

    def eof_received(self) -> None:
        if not self.done:
            what = self.waiting or "the next command"
            self._fail(f"the milter closed the connection while waiting for the reply "
                       f"to <{what}>")

    def connection_lost(self, error: BaseException | None) -> None:
        if not self.done:
            reason = getattr(error, "strerror", None) or str(error)
            self._fail(reason)

    # -- waiting and ending ------------------------------------------------------------------
    def _send(self, data: bytes) -> None:
        assert self.stream is not None
        self.stream.write(data)

    def _wait(self, stage: str, timeout: float) -> None:
        """Await the reply to STAGE; its timeout starts once the command is written."""
        self.waiting = stage
        self.deadline.cancel()
        stream = self.stream
        assert stream is not None

        def arm() -> None:
            if self.waiting == stage and not self.done:
                self.deadline.arm(timeout)
        stream.on_flushed(arm)

    def _read_timed_out(self) -> None:
        if self.done:
            return
        if self.waiting == "end-of-message":
            self._fail("end-of-message timeout", abort=True)
        else:
            self._fail("reading timeout", abort=True)

    def _write_timed_out(self) -> None:
        if not self.done:
            self._fail("writing timeout")

    def _fail(self, message: str, abort: bool = False) -> None:
        """An error ends the session; its message replaces the status block (§1.7)."""
        if abort:
            self._finish(abort=True, error=message)
            return
        if self.stream is not None:
            self.stream.close()
        self._end(error=message)

    def _finish(self, *, abort: bool, error: str | None = None) -> None:
        """abort (when the message ends early) + quit, then close."""
        stream = self.stream
        if stream is not None and not stream.closed:
            stream.write((Abort().encode() if abort else b"") + Quit().encode())
            stream.close_after_flush()
        self._end(error=error)

    def _end(self, error: str | None = None) -> None:
        if self.done:
            return
        self.done = True
        self.waiting = None
        self.deadline.cancel()
        if self.started:
            self.outcome.elapsed = time.monotonic() - self.started  # §1.4 step 6
        self.outcome.error = error
        self.on_done(self.outcome)


def _with_requests(macros: list[tuple[bytes, bytes]],
                   requested: Any) -> list[tuple[bytes, bytes]]:
    """tools.md §1.2: a requested macro the stage lacks is sent with its own name as value.

    [deviation] each one is added once (upstream's loop never ends when a stage
    requests two or more); they come after the stage's own macros (upstream: hash order).
    """
    result = list(macros)
    have = {strip_braces(name) for name, _ in result}
    for symbol in requested:
        key = strip_braces(symbol)
        if key not in have:
            have.add(key)
            result.append((symbol, symbol))
    return result
