"""One child milter connection of one session (`ChildMilter`).

The manager is an MTA towards each child (protocol.md's "MTA role"). A child
knows its connection, its effective option, its flags (manager.md §4.1) and
its timeouts (§9.1); everything that makes it fail goes through
`fail(reason)`, which applies the fallback in one place (§9.2). What a reply
*means* for the session is decided by the `Children` object through the
handler given with each command.
"""

from __future__ import annotations

import struct
from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from milter_manager.protocol import (
    REPLIES,
    FrameReader,
    NegotiateReply,
    Option,
    ProtocolError,
    ReplyCode,
    Status,
)
from milter_manager.protocol.flags import NO_EVENT_OF_COMMAND, NO_REPLY_OF_COMMAND
from milter_manager.protocol.replies import (
    Accept,
    ConnectionFailure,
    Continue,
    Discard,
    Progress,
    Reject,
    Shutdown,
    Skip,
    TemporaryFailure,
)
from milter_manager.protocol.status import status_rank

from .connection import ConnectResult, Stream, connect_stream
from .listener import SocketSpec, SpecError, resolve_spec
from .log import DEBUG, ERROR, STATISTICS, format_elapsed

if TYPE_CHECKING:
    from .children import Children
    from .settings import EggSettings

#: handler(child, status, reply) — reply is the decoded verdict (None for a
#: synthetic answer: NO_REPLY, failure fallback).
Handler = Callable[["ChildMilter", Status, Any], None]

_FRAME_HEADER = struct.Struct(">Ic")

COMMAND_STAGE_NICK = {
    b"O": "negotiate", b"C": "connect", b"H": "helo", b"M": "envelope-from",
    b"R": "envelope-recipient", b"T": "data", b"U": "unknown", b"L": "header",
    b"N": "end-of-header", b"B": "body", b"E": "end-of-message",
}

_VERDICTS = {
    Continue: Status.CONTINUE, Accept: Status.ACCEPT, Reject: Status.REJECT,
    TemporaryFailure: Status.TEMPORARY_FAILURE, Discard: Status.DISCARD, Skip: Status.SKIP,
}

_spec_cache: dict[str, SocketSpec] = {}


def socket_spec(spec: str, parsed: Any = None) -> SocketSpec:
    """The socket address of a connection spec; resolved once per process
    (the configuration already resolved it at load time, config.md §8.5)."""
    cached = _spec_cache.get(spec)
    if cached is not None:
        return cached
    if parsed is not None and getattr(parsed, "text", None) == spec:
        resolved = SocketSpec(spec, parsed.socket_family, parsed.socket_address())
    else:
        resolved = resolve_spec(spec)
    if len(_spec_cache) > 1024:
        _spec_cache.clear()
    _spec_cache[spec] = resolved
    return resolved


class Expectation:
    """A command sent to the child that awaits its reply (FIFO, protocol.md §7)."""

    __slots__ = ("cancelled", "code", "handler")

    def __init__(self, code: bytes, handler: Handler) -> None:
        self.code = code
        self.handler = handler
        self.cancelled = False


class ChildMilter:
    """A child: connection, effective option, flags, cursors, timeouts."""

    def __init__(self, children: Children, egg: EggSettings, index: int, tag: int) -> None:
        self.children = children
        self.loop = children.loop
        self.log = children.log
        self.egg = egg
        self.name = egg.name
        self.index = index
        self.tag = tag
        self.evaluation = egg.evaluation_mode
        self.stream: Stream | None = None
        self.reader = FrameReader(REPLIES)
        self.expect: deque[Expectation] = deque()
        #: handlers of NO_REPLY commands whose write has not been flushed yet:
        #: each counts as answered `continue` once written (protocol.md §8.1);
        #: a child that fails before that answers its fallback instead.
        self.unflushed: list[Handler] = []
        self.deadline = self.loop.deadline(self._timed_out)
        self.connector: Any = None
        self.retried = False
        self.started_at: float | None = None
        # manager.md §4.1 flags.
        self.negotiation_done = True   # False while its negotiation is awaited
        self.wait_gen: int | None = None   # the broadcast generation it owes an answer to
        self.negotiated = False
        self.quit = False
        self.processing = False
        self.last_mail = False
        self.skip_body = False
        self.option: Option | None = None
        self.reply_option: NegotiateReply | None = None
        # §4.2 recipient bookkeeping.
        self.n_recipients = 0
        self.n_refused = 0
        # §6.3 cursors over the message records.
        self.m_headers = 0
        self.m_eoh = False
        self.m_body = 0
        self.m_eom = False
        self.first_b = True
        self.finished_message = False
        # statistics / ChildContext (cli.md §14.2).
        self.status = Status.NOT_CHANGE
        self.end_status: Status | None = None
        self.last_stage = "start"
        self.reported = False
        self.failed = False
        self.context: Any = None
        self.macros_set: dict[bytes, bytes] = {}
        self.stoppers = _collect_stoppers(egg.applicable_conditions)

    # -- flags --------------------------------------------------------------
    @property
    def has_accepted_recipient(self) -> bool:
        """manager.md §4.2."""
        return self.n_refused == 0 or self.n_recipients > 0

    def no_event(self, code: bytes) -> bool:
        option = self.option
        if option is None:
            return False
        if code == b"T" and option.version < 4:
            return True     # protocol.md §6.6: never sent T below version 4
        bit = NO_EVENT_OF_COMMAND.get(code, 0)
        return bool(option.steps & bit)

    def no_reply(self, code: bytes) -> bool:
        option = self.option
        return option is not None and bool(option.steps & NO_REPLY_OF_COMMAND.get(code, 0))

    def has_stoppers(self, stage: str) -> bool:
        return stage in self.stoppers

    def reset_message_state(self) -> None:
        self.processing = False
        self.skip_body = False
        self.n_recipients = 0
        self.n_refused = 0
        self.reset_cursors()
        self.macros_set = {}

    def reset_cursors(self) -> None:
        self.m_headers = 0
        self.m_eoh = False
        self.m_body = 0
        self.m_eom = False
        self.first_b = True
        self.finished_message = False

    # -- connecting (manager.md §9.3) -------------------------------------
    def connect(self) -> None:
        spec = self.egg.connection_spec
        if self.started_at is None:
            self.started_at = self.loop.time()
        try:
            resolved = socket_spec(spec, self.egg.parsed_connection_spec)
        except (SpecError, OSError, ValueError) as error:
            message = getattr(error, "strerror", None) or str(error)
            self._connect_failed(ConnectResult(None, OSError(0, message), True))
            return
        self.connector = connect_stream(self.loop, resolved.family, resolved.address,
                                        self.egg.connection_timeout, self._connected)

    def _connected(self, result: ConnectResult) -> None:
        self.connector = None
        if self.quit:
            if result.sock is not None:
                result.sock.close()
            return
        if result.sock is None:
            self._connect_failed(result)
            return
        self.stream = Stream(self.loop, result.sock, self)
        self.stream.set_write_timeout(self.egg.writing_timeout, self._write_timed_out)
        self.stream.drained = self._drained
        self.children.child_connected(self)

    def _connect_failed(self, result: ConnectResult) -> None:
        error = result.error
        strerror = (error.strerror or str(error)) if error is not None else "unknown error"
        timed_out = isinstance(error, TimeoutError)
        launch = self.children.can_launch(self)
        if not self.retried and not timed_out and (result.immediate or launch):
            self.retried = True
            if launch:
                self.children.launch(self)       # §9.3 privilege mode: launch, retry
            else:
                self.log.error(f"Failed to connect to {self.egg.connection_spec}: {strerror}",
                               "milter-server")
            self.connector = self.loop.call_later(self.children.retry_connect_time,
                                                  self._retry)
            return
        if self.retried or timed_out:
            self.log.error(f"Failed to connect to {self.egg.connection_spec}: {strerror}",
                           "milter-server")
        elif self.log.mask & DEBUG:
            self.log.debug(f"[{self.tag}] [child][connect][error] {self.name}: "
                           f"{self.egg.connection_spec}: {strerror}", "milter-server")
        self.quit = True
        self.children.child_not_negotiated(self)

    def _retry(self) -> None:
        self.connector = None
        if not self.quit:
            self.connect()

    # -- stream protocol ---------------------------------------------------
    def data_received(self, data: bytes) -> None:
        try:
            self._data_received(data)
        except Exception as error:  # noqa: BLE001 - a bug must not take the loop down
            self.children.leader._internal_error(error)

    def _data_received(self, data: bytes) -> None:
        try:
            replies = self.reader.feed(data)
        except ProtocolError as error:
            for reply in error.packets:
                if self.quit:
                    return
                self._dispatch(reply)
            if not self.quit:
                self.log.error(f"[{self.tag}] Decode error: {error}: {self.name}", "milter-server")
                self.fail("decode")
            return
        for reply in replies:
            if self.quit:
                return
            self._dispatch(reply)

    def eof_received(self) -> None:
        self.connection_lost(None)

    def connection_lost(self, error: BaseException | None) -> None:
        if self.quit:
            return
        if error is not None and self.log.mask & ERROR:
            self.log.error(f"[{self.tag}] [child][error] {self.name}: {error}", "milter-server")
        if self._answering() is not None or self.unflushed or not self.negotiated:
            self.fail("closed")
        else:
            # manager.md §9.4: closed while idle: expired, no fallback.
            self.expire()

    # -- replies ------------------------------------------------------------
    def _answering(self) -> Expectation | None:
        for expectation in self.expect:
            if not expectation.cancelled:
                return expectation
        return None

    def _dispatch(self, reply: Any) -> None:
        kind = type(reply)
        status = _VERDICTS.get(kind)
        if status is None:
            if kind is ReplyCode:
                status = reply.status
            elif kind is NegotiateReply:
                status = Status.CONTINUE
            elif kind in (ConnectionFailure, Shutdown):
                # protocol.md §11.1 [deviation] P12: f and 4 fail the child.
                self.log.error(f"[{self.tag}] [child][error][{reply.nick}] {self.name}",
                               "milter-server")
                self.fail(reply.nick)
                return
            else:
                self._modification(reply)
                return
        expect = self.expect
        if not expect:
            self.log.warning(f"[{self.tag}] [child][warning] unexpected reply: "
                             f"{reply.wire_code.decode()}: {self.name}", "milter-server")
            return
        head = expect[0]
        if kind is Skip and head.code != b"B":
            self._invalid_state("skip", "body", head.code)
            return
        if (kind is NegotiateReply) != (head.code == b"O"):
            self._invalid_state(getattr(reply, "nick", "reply"), "negotiate", head.code)
            return
        expect.popleft()
        if expect:
            self._arm(expect[0])
        else:
            self.deadline.cancel()
        if head.cancelled:
            return
        self.status = status
        head.handler(self, status, reply)

    def _modification(self, reply: Any) -> None:
        head = self._answering()
        if head is None or head.code != b"E":
            state = COMMAND_STAGE_NICK.get(head.code, "unknown") if head else self.last_stage
            self._invalid_state(reply.nick, "end-of-message", head.code if head else None,
                                state)
            return
        if type(reply) is Progress:
            self.deadline.arm(self.egg.end_of_message_timeout)   # §9.1: p restarts it
        self.children.child_modification(self, reply)

    def _invalid_state(self, action: str, expected: str, code: bytes | None,
                       state: str | None = None) -> None:
        if state is None:
            state = COMMAND_STAGE_NICK.get(code, "unknown") if code else self.last_stage
        self.log.error(f"[{self.tag}] <{action}> should be caused on <{expected}> "
                       f"but was <{state}>: {self.name}", "milter-server")
        self.fail("invalid-state")

    # -- sending --------------------------------------------------------------
    def send(self, code: bytes, frames: list[bytes | memoryview], handler: Handler | None,
             *, replies: bool = True) -> None:
        """Write a command (its `D` first when given in `frames`).

        With `handler`: when the command expects a reply the handler gets it;
        with NO_REPLY negotiated (`replies=False`) it gets `continue` once the
        write has been flushed (protocol.md §8.1).
        """
        stream = self.stream
        if stream is None or self.quit:
            return
        self.last_stage = COMMAND_STAGE_NICK.get(code, self.last_stage)
        if len(frames) == 1:
            stream.write(frames[0])
        else:
            stream.writelines(frames)
        if handler is None:
            return
        if not replies:
            # [deviation] M1: the child's NO_REPLY is honoured; the command
            # counts as answered `continue` once written.
            self.unflushed.append(handler)
            stream.on_flushed(lambda: self._no_reply_answer(handler))
            return
        expectation = Expectation(code, handler)
        expect = self.expect
        expect.append(expectation)
        if len(expect) == 1:
            # §9.1 "from the flush": armed now, and armed again by `_drained`
            # when a write had to wait for the socket (cheaper than a flush
            # callback per command, same deadline).
            self._arm(expectation)

    def send_body(self, piece: bytes | memoryview, handler: Handler, *, replies: bool,
                  prefix: list[bytes] | None = None) -> None:
        """A `B` whose payload is written as a view (no copy per child)."""
        header = _FRAME_HEADER.pack(len(piece) + 1, b"B")
        frames: list[bytes | memoryview] = [*prefix, header, piece] if prefix else [header, piece]
        self.send(b"B", frames, handler, replies=replies)

    def _no_reply_answer(self, handler: Handler) -> None:
        try:
            self.unflushed.remove(handler)
        except ValueError:
            return          # the child failed first and answered its fallback
        if not self.quit:
            handler(self, Status.CONTINUE, None)

    def _drained(self) -> None:
        if self.expect:
            self._arm(self.expect[0])

    def _arm(self, expectation: Expectation) -> None:
        # manager.md §9.1: E uses end_of_message_timeout, the rest reading_timeout.
        if expectation.code == b"E":
            self.deadline.arm(self.egg.end_of_message_timeout)
        else:
            self.deadline.arm(self.egg.reading_timeout)

    def cancel_expectations(self) -> None:
        """The session cancelled what it was waiting for: late replies are dropped."""
        for expectation in self.expect:
            expectation.cancelled = True

    def send_abort(self) -> None:
        if self.stream is not None and not self.quit:
            self.stream.write(_ABORT)
        self.last_mail = False

    def send_quit(self) -> None:
        """`Q` and close (manager.md §2, §13.3); the child is gone."""
        if self.quit:
            return
        self.quit = True
        self.processing = False
        self.deadline.cancel()
        self._cancel_connect()
        stream = self.stream
        if stream is not None:
            stream.write(_QUIT)
            stream.close_after_flush()
        self.report_end()

    # -- failing (manager.md §9.2) -------------------------------------------
    def _timed_out(self) -> None:
        head = self._answering()
        if head is None and not self.expect:
            return
        stream = self.stream
        if stream is not None and stream.write_pending:
            # §9.1: the reading timeout runs from the flush. The deadline was
            # armed when the command was queued; a write still waiting for
            # the socket is the writing timeout's business, and `_drained`
            # arms this one again once it has gone out.
            return
        what = "end-of-message" if head is not None and head.code == b"E" else "reading"
        self.log.error(f"[{self.tag}] [child][error][timeout][{what}] {self.name}",
                       "milter-server")
        self.fail("timeout")

    def _write_timed_out(self) -> None:
        self.log.error(f"[{self.tag}] [child][error][timeout][writing] {self.name}",
                       "milter-server")
        self.fail("timeout")

    def fail(self, reason: str) -> None:
        """The child failed: expire it, then let the stage go on as if it had
        answered its fallback status (manager.md §9.2)."""
        # [deviation] M6: also at a message stage (upstream answered the MTA
        # at once and dropped earlier children's modifications).
        if self.quit:
            return
        head = self._answering()
        # A NO_REPLY command not written yet is still pending: without this,
        # a child failing before the flush left its stage waiting forever
        # (found by fuzzing).
        unflushed = self.unflushed[0] if self.unflushed else None
        fallback = self.egg.fallback_status
        if head is not None or unflushed is not None or self.processing:
            self.end_status = fallback       # cli.md §14.2: reported by expire()
        self.failed = True
        self.expire()
        if not self.negotiated and head is not None and head.code == b"O":
            self.children.child_not_negotiated(self)
            return
        if head is not None:
            self.status = fallback
            head.handler(self, fallback, None)
        elif unflushed is not None:
            self.status = fallback
            unflushed(self, fallback, None)

    def expire(self) -> None:
        """Marked quit, nothing more is written, the socket is closed (§9.2 step 2)."""
        if self.quit and (self.stream is None or self.stream.closed):
            return
        self.quit = True
        self.processing = False
        self.deadline.cancel()
        self._cancel_connect()
        expectations = list(self.expect)
        self.expect.clear()
        self.unflushed.clear()
        for expectation in expectations:
            expectation.cancelled = True
        if self.stream is not None:
            self.stream.close()
        self.report_end()

    def _cancel_connect(self) -> None:
        connector = self.connector
        self.connector = None
        if connector is not None:
            connector.cancel()

    def close(self) -> None:
        """End of session: `Q` to a live child, then close."""
        if not self.quit:
            self.send_quit()
        else:
            self._cancel_connect()
            if self.stream is not None and not self.stream.closed:
                self.stream.close_after_flush()
        self.report_end()

    # -- statistics (cli.md §14.2) -------------------------------------------
    def report_end(self) -> None:
        if self.reported:
            return
        self.reported = True
        self.children.child_ended(self)
        log = self.log
        if not log.mask & STATISTICS:
            return
        if self.started_at is None or self.stream is None:
            elapsed = 0.0       # never connected
        else:
            elapsed = self.loop.update_time() - self.started_at
        state = self.last_stage
        status = self.end_status if self.end_status is not None else self.status
        log.statistics(f"[milter][end][{state}][{status_text(status)}]"
                       f"[{format_elapsed(elapsed)}]({self.tag}): {self.name}")


# protocol.md §12 fold order keyed by identity: `Status` hashes in Python
# code, which would cost more than the fold itself on the per-command path.
_RANK = {id(status): status_rank(status) for status in Status}


def fold(current: Status, verdict: Status) -> Status:
    """protocol.md §12: `verdict` replaces `current` only if it ranks higher."""
    return verdict if _RANK[id(verdict)] > _RANK[id(current)] else current


def status_text(status: Status) -> str:
    """cli.md §14.1 STATUS: `pass` for default/not-change/continue."""
    return "pass" if status.is_pass else status.nick


_ABORT = _FRAME_HEADER.pack(1, b"A")
_QUIT = _FRAME_HEADER.pack(1, b"Q")
STAGES = {
    b"C": "connect", b"H": "helo", b"M": "envelope_from", b"R": "envelope_recipient",
    b"T": "data", b"L": "header", b"N": "end_of_header", b"B": "body",
    b"E": "end_of_message",
}


def _collect_stoppers(conditions: tuple[Any, ...]) -> dict[str, list[tuple[Any, Any]]]:
    """stage → [(condition, stopper), …] in condition order, then definition order
    (config.md §10.3). Stages without stoppers are absent, so a child without
    conditions never involves a worker thread (manager.md §12)."""
    found: dict[str, list[tuple[Any, Any]]] = {}
    for condition in conditions:
        for stage in STAGES.values():
            getter = getattr(condition, "stoppers_for", None)
            if getter is not None:
                stoppers = getter(stage)
            else:
                stoppers = (getattr(condition, "stoppers", None) or {}).get(stage, ())
            for stopper in stoppers or ():
                found.setdefault(stage, []).append((condition, stopper))
    return found
