"""One MTA session (`Leader`): the manager in its milter role.

The leader reads the MTA's commands, processes them strictly one at a time
(pipelined commands wait in a queue), hands each to `Children`, and writes
exactly one reply per command except `D`, `A`, `Q`, `K` (manager.md §2). It
owns the MTA-side macro store, DATA emulation (§5.6), the cancel-on-abort
rule (§2 step 4) and the end-of-message output to the MTA (§7.4, with the
action checks of protocol.md §11.2).
"""

from __future__ import annotations

import socket
from collections import deque
from typing import TYPE_CHECKING, Any

from milter_manager.protocol import (
    COMMANDS,
    FrameReader,
    MacroContexts,
    NegotiateReply,
    ProtocolError,
    ReplyCode,
    Status,
    action_error,
)
from milter_manager.protocol.commands import (
    Abort,
    Data,
    DefineMacro,
    Negotiate,
    Quit,
    QuitNewConnection,
)
from milter_manager.protocol.replies import (
    AddHeader,
    ChangeHeader,
    InsertHeader,
    Quarantine,
)

from .child import COMMAND_STAGE_NICK, status_text
from .children import Children
from .connection import Stream
from .log import DEBUG, STATISTICS, format_elapsed

if TYPE_CHECKING:
    from .server import Manager
    from .settings import ManagerSettings

#: manager.md §2 step 5: MTA inactivity after our last reply.
MTA_INACTIVITY_TIMEOUT = 7210.0
#: spec README: per-message limits.
MAX_HEADERS = 10000
MAX_RECIPIENTS = 10000

# keyed by identity (Status hashes in Python code)
_STATUS_FRAME = {
    id(Status.CONTINUE): b"\x00\x00\x00\x01c",
    id(Status.ACCEPT): b"\x00\x00\x00\x01a",
    id(Status.REJECT): b"\x00\x00\x00\x01r",
    id(Status.TEMPORARY_FAILURE): b"\x00\x00\x00\x01t",
    id(Status.DISCARD): b"\x00\x00\x00\x01d",
}
_CONTINUE_FRAME = _STATUS_FRAME[id(Status.CONTINUE)]

def _text(value: bytes) -> str:
    return value.decode("utf-8", "surrogateescape")


def socket_address(family: bytes, port: int, address: bytes) -> Any:
    """The SMTP client's address as stoppers see it (ruby-subset.md §9.3)."""
    from milter_manager.config.library.socket_address import IPv4, IPv6, Unix, Unknown
    try:
        if family == b"4":
            return IPv4(_text(address), port)
        if family == b"6":
            return IPv6(_text(address.removeprefix(b"IPv6:")), port)
        if family == b"L":
            return Unix(_text(address))
    except ValueError:
        pass
    return Unknown()


def peer_socket_address(peer: Any) -> Any:
    """The MTA's end of its connection to the manager (ruby-subset.md §9.6)."""
    from milter_manager.config.library.socket_address import IPv4, IPv6, Unix, Unknown
    if isinstance(peer, tuple) and len(peer) == 2:
        return IPv4(peer[0], peer[1])
    if isinstance(peer, tuple) and len(peer) >= 4:
        return IPv6(peer[0], peer[1])
    if isinstance(peer, str):
        return Unix(peer)
    return Unknown()


_ARGS = {
    b"C": lambda p: (_text(p.hostname), socket_address(p.family, p.port, p.address)),
    b"H": lambda p: (p.fqdn.decode("utf-8", "surrogateescape"),),
    b"M": lambda p: (p.address.decode("utf-8", "surrogateescape"),),
    b"R": lambda p: (p.address.decode("utf-8", "surrogateescape"),),
    b"T": lambda p: (),
    b"U": lambda p: (),
}


def reply_frame(status: Status) -> bytes:
    """A plain verdict frame; statuses without a frame of their own (pass
    statuses, skip, …) are `c` (the MTA never gets `s`, protocol.md §8.2)."""
    return _STATUS_FRAME.get(id(status), _CONTINUE_FRAME)


class Leader:
    """One MTA connection, from accept to close."""

    def __init__(self, manager: Manager, sock: socket.socket, peer: Any,
                 settings: ManagerSettings, tag: int) -> None:
        self.manager = manager
        self.loop = manager.loop
        self.log = manager.log
        self.settings = settings
        self.tag = tag
        self.peer_address = peer
        self.client_address: Any = None
        self.started_at = self.loop.time()
        self.reader = FrameReader(COMMANDS)
        self.macros = MacroContexts()
        self.queue: deque[Any] = deque()
        self._in_queue = False
        self.pending: Any = None           # the command whose reply is due
        self.emulating: Any = None         # §5.6: the command waiting for the data stage
        self.negotiated = False
        self.negotiate_reply: NegotiateReply | None = None
        self.mta_version = 0
        self.last_code = b""               # last MTA command (for DATA emulation)
        self.stage = "start"               # cli.md §14.1 STATE
        self.final_status = Status.CONTINUE
        self.closed = False
        self.n_headers = 0
        self.n_recipients = 0
        self.over_limit = False
        self.children = Children(self, settings, self.loop, self.log, manager.tags, manager)
        self.inactivity = self.loop.deadline(self._inactive)
        self.inactivity.arm(MTA_INACTIVITY_TIMEOUT)
        self.stream = Stream(self.loop, sock, self)

    # -- reading --------------------------------------------------------------
    def data_received(self, data: bytes) -> None:
        try:
            self._data_received(data)
        except Exception as error:  # noqa: BLE001 - a bug must cost one session, not the loop
            self._internal_error(error)

    def _internal_error(self, error: BaseException) -> None:
        import traceback
        self.log.critical(f"[{self.tag}] [leader][error][internal] {error!r}\n"
                          + "".join(traceback.format_exception(error)))
        if not self.closed:
            try:
                self.close()
            except Exception:  # noqa: BLE001 - already failing; close what we can
                self.stream.close()

    def _data_received(self, data: bytes) -> None:
        try:
            packets = self.reader.feed(data)
        except ProtocolError as error:
            for packet in error.packets:
                if self.closed:
                    return
                self._receive(packet)
            if not self.closed:
                # protocol.md §13 [deviation] P2: log, no reply, close.
                self.log.error(f"[{self.tag}] Decode error: {error}", "milter-client")
                self.close()
            return
        for packet in packets:
            if self.closed:
                return
            self._receive(packet)

    def eof_received(self) -> None:
        try:
            self.reader.feed_eof()
        except ProtocolError as error:
            self.log.error(f"[{self.tag}] Decode error: {error}", "milter-client")
        self.close()

    def connection_lost(self, error: BaseException | None) -> None:
        if error is not None and self.log.mask & DEBUG:
            self.log.debug(f"[{self.tag}] [leader][error] {error}", "milter-client")
        self.close()

    def _receive(self, packet: Any) -> None:
        self.inactivity.cancel()
        kind = type(packet)
        if kind is Abort:
            self._abort()
            return
        if kind is Quit or kind is QuitNewConnection:
            if kind is QuitNewConnection:
                # protocol.md §3.2 [deviation] P4: K is handled like Q.
                self.log.warning(f"[{self.tag}] [leader][quit-new-connection] "
                                 "handled as quit", "milter-client")
            self.close()
            return
        self.queue.append(packet)
        if self.pending is None:
            self._process_queue()

    # -- processing -------------------------------------------------------------
    def _process_queue(self) -> None:
        if self._in_queue:
            return      # the running loop below picks up the next command
        self._in_queue = True
        try:
            queue = self.queue
            while queue and self.pending is None and not self.closed:
                packet = queue.popleft()
                if type(packet) is DefineMacro:
                    self.macros.apply(packet)
                    continue
                self.pending = packet
                self._dispatch(packet)
        finally:
            self._in_queue = False

    def _dispatch(self, packet: Any) -> None:
        code = packet.wire_code
        if code != b"O" and not self.negotiated:
            # Commands before `O`: answer as the children would have nothing
            # to say; the spec requires exactly one reply.
            self.reply(self.settings.fallback_status)
            return
        self.stage = COMMAND_STAGE_NICK.get(code, self.stage)
        children = self.children
        if code == b"O":
            if self.negotiated:
                # A second `O` in one session: the children are already
                # negotiated; the MTA gets the same answer again.
                self._write_reply(self.negotiate_reply.encode(), Status.CONTINUE)
                return
            self.mta_version = min(packet.version, 6)
            children.negotiate(packet, self._negotiated)
        elif code in (b"L", b"N", b"B", b"E"):
            if self.over_limit:
                self.reply(Status.TEMPORARY_FAILURE)
                return
            if code == b"L":
                self.n_headers += 1
                if self.n_headers > MAX_HEADERS:
                    self._limit("headers", self.n_headers)
                    return
            if self.mta_version >= 4 and self.last_code == b"R":
                # manager.md §5.6: run the data stage first.
                self.last_code = b"T"
                self.emulating = packet
                self.stage = "data"
                children.broadcast(b"T", _DATA, ())
                return
            self.last_code = code
            children.message_command(code, packet)
        else:
            if code == b"M":
                self.n_headers = 0
                self.n_recipients = 0
                self.over_limit = False
            elif code == b"R":
                if self.over_limit:
                    self.last_code = code
                    self.reply(Status.TEMPORARY_FAILURE)
                    return
                self.n_recipients += 1
                if self.n_recipients > MAX_RECIPIENTS:
                    self.last_code = code
                    self._limit("recipients", self.n_recipients)
                    return
            elif code == b"C":
                self.client_address = socket_address(packet.family, packet.port,
                                                     packet.address)
            elif code == b"T" and self.over_limit:
                self.reply(Status.TEMPORARY_FAILURE)
                return
            self.last_code = code
            children.broadcast(code, packet, _ARGS[code](packet))

    def _limit(self, what: str, count: int) -> None:
        self.log.error(f"[{self.tag}] [leader][limit] too many {what} in one message: {count}")
        self.over_limit = True
        self.children.abort_message()
        self.reply(Status.TEMPORARY_FAILURE)

    def _negotiated(self, reply: NegotiateReply) -> None:
        self.negotiated = True
        self.negotiate_reply = reply
        self._write_reply(reply.encode(), Status.CONTINUE)

    # -- replies -----------------------------------------------------------------
    def reply(self, status: Status, code: ReplyCode | None = None,
              packets: list[Any] | None = None, quarantine: Quarantine | None = None) -> None:
        """The one reply to the pending command (manager.md §2 step 3)."""
        if self.closed or self.pending is None:
            return
        emulating = self.emulating
        if emulating is not None:
            self.emulating = None
            if status in (Status.CONTINUE, Status.NOT_CHANGE, Status.DEFAULT):
                # §5.6 step 2: now the pending command itself.
                self.last_code = emulating.wire_code
                self.stage = COMMAND_STAGE_NICK[emulating.wire_code]
                self.children.message_command(emulating.wire_code, emulating)
                return
        stream = self.stream
        if packets:
            actions = self.children.reply_actions
            stats = self.log.mask & STATISTICS
            for packet in packets:
                error = action_error(packet, actions)
                if error is not None:
                    self.log.error(f"[{self.tag}] {error}", "milter-client")
                    continue
                stream.write(packet.encode())
                if stats and type(packet) in (AddHeader, InsertHeader, ChangeHeader) \
                        and packet.value:
                    self.log.statistics(
                        f"[session][header][add]({self.tag}): "
                        f"<{packet.name.decode('utf-8', 'surrogateescape')}>="
                        f"<{packet.value.decode('utf-8', 'surrogateescape')}>")
        if quarantine is not None:
            stream.write(quarantine.encode())
            if self.log.mask & STATISTICS:
                self.log.statistics(f"[reply][end-of-message][quarantine]({self.tag})")
        if code is not None:
            # manager.md §8: the text formatted by protocol.md §10.3.
            # [deviation] M3, M4: codes without an extended code and multi-line
            # codes are forwarded; a code without text is one line.
            text = code.formatted()
            self._write_reply(b"".join(((len(text) + 2).to_bytes(4, "big"), b"y", text, b"\0")),
                              status)
        else:
            self._write_reply(reply_frame(status), status)

    def _write_reply(self, frame: bytes, status: Status) -> None:
        self.stream.write(frame)
        self.final_status = status
        self.pending = None
        self.inactivity.arm(MTA_INACTIVITY_TIMEOUT)
        if self.queue:
            self._process_queue()

    def forward(self, packet: Any) -> None:
        """`+`, `2`, `-`, `p` from a child during end-of-message: at once (§7.1)."""
        if self.closed:
            return
        error = action_error(packet, self.children.reply_actions)
        if error is not None:
            self.log.error(f"[{self.tag}] {error}", "milter-client")
            return
        self.stream.write(packet.encode())

    # -- abort, close ---------------------------------------------------------------
    def _abort(self) -> None:
        """MTA `A` (§13.2); cancels a pending reply ([deviation] M16)."""
        if self.pending is not None and type(self.pending) is Negotiate:
            return      # nothing to abort before the negotiate reply
        if self.pending is not None:
            self.children.cancel()
            self.pending = None
            self.emulating = None
        # Commands queued before the `A` belong to the aborted transaction.
        self.queue = deque(p for p in self.queue if type(p) is DefineMacro)
        self.children.abort_message()
        self.over_limit = False
        self.last_code = b"A"
        self.inactivity.arm(MTA_INACTIVITY_TIMEOUT)
        if self.queue:
            self._process_queue()

    def _inactive(self) -> None:
        self.log.info(f"[{self.tag}] [leader][timeout] MTA inactivity", "milter-client")
        self.close()

    def disconnect(self, status: Status) -> None:
        """manager.md §14: the SMTP client is gone (connection checker)."""
        if self.closed:
            return
        self.log.statistics(f"[session][disconnected]"
                            f"[{format_elapsed(self.loop.update_time() - self.started_at)}]"
                            f"({self.tag})")
        if self.pending is not None:
            self.children.cancel()
            self.emulating = None
            self.reply(status)
        self.children.abort_message()
        # [deviation] M21: the MTA connection is closed too.
        self.close()

    def close(self) -> None:
        """End of session (§2 step 5, §13.3): children get `Q`, sockets close."""
        if self.closed:
            return
        self.closed = True
        self.pending = None
        self.queue.clear()
        self.inactivity.cancel()
        if self.log.mask & STATISTICS:
            # cli.md §14.2 order: [session][end], then every child not reported.
            elapsed = self.loop.update_time() - self.started_at
            self.log.statistics(f"[session][end][{self.stage}][{status_text(self.final_status)}]"
                                f"[{format_elapsed(elapsed)}]({self.tag})")
        self.children.quit()
        self.stream.close_after_flush()
        self.manager.session_finished(self)


_DATA = Data()
