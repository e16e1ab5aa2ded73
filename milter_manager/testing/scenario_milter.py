"""The scenario test milter (scenarios.md §7): a small configurable child milter.

    python -m milter_manager.testing.scenario_milter --print-status --port 10026 \\
        --action reject --envelope-from reject@example.com

It serves one MTA connection, prints what it receives (`receive: <signal>: <info>`)
and answers with the verdicts its options bind to triggers. The scenario harness
starts two of these per scenario; admins use it to see what their milter-manager
configuration sends to a child. It is spawned hundreds of times per corpus run,
so it imports only the codec and the standard library it needs, and uses plain
blocking sockets (one connection, one peer).

Options (`--opt=VALUE` or `--opt VALUE`, processed in order):

* where and how: `--host` (127.0.0.1), `--port` (9999), `--timeout` seconds to
  wait for the connection and for each command (3), `--print-status`,
  `--debug` (stderr), `--no-bind`, `--exit`;
* negotiation: `--negotiate-version=N`, `--negotiate-flags=STEP|STEP` (the
  steps asked for; repeatable);
* the current action, bound by the triggers that follow it: `--action=NAME`
  (continue, accept, reject, temporary-failure, discard, skip, progress,
  connection-failure, shutdown, no-response; default reject) or
  `--reply-code='554 5.7.1 text'`;
* triggers: `--connect-host`, `--helo`, `--envelope-from`,
  `--envelope-recipient`, `--data`, `--header=NAME,VALUE`, `--body`,
  `--body-regexp`, `--end-of-message` (the default end-of-message verdict),
  `--end-of-message-chunk`, `--end-of-message-chunk-regexp`;
* end-of-message changes: `--add-header=NAME:VALUE`,
  `--insert-header=INDEX:NAME:VALUE`, `--change-header=NAME:INDEX:VALUE`,
  `--delete-header=NAME:INDEX`, `--change-from`, `--add-recipient`,
  `--delete-recipient`, `--replace-body`, `--quarantine=REASON`, `--progress`;
* `--quit-without-reply=COMMAND`: close without answering that command.
"""

from __future__ import annotations

import os
import re
import socket
import sys
import time
from dataclasses import dataclass, field

from milter_manager.protocol.commands import COMMAND_NICKS
from milter_manager.protocol.errors import ProtocolError
from milter_manager.protocol.flags import (
    STEP_NICKS,
    format_actions,
    format_steps,
    parse_steps,
)
from milter_manager.protocol.frames import COMMANDS, FrameReader
from milter_manager.protocol.wire import MILTER_CHUNK_SIZE, U32, frame

# §7.3: one-byte verdict replies.
_VERDICT_CODES = {
    "continue": b"c", "accept": b"a", "reject": b"r", "temporary-failure": b"t",
    "discard": b"d", "skip": b"s", "progress": b"p", "connection-failure": b"f",
    "shutdown": b"4",
}

# §7.3: the NO_REPLY step bit that suppresses the verdict of a command.
_NO_REPLY_BIT = {
    nick: bit for bit, nick in STEP_NICKS.items() if nick.startswith("no-reply-")
}
_SUPPRESSIBLE = {
    "connect": _NO_REPLY_BIT["no-reply-connect"],
    "helo": _NO_REPLY_BIT["no-reply-helo"],
    "envelope-from": _NO_REPLY_BIT["no-reply-envelope-from"],
    "envelope-recipient": _NO_REPLY_BIT["no-reply-envelope-recipient"],
    "data": _NO_REPLY_BIT["no-reply-data"],
    "header": _NO_REPLY_BIT["no-reply-header"],
    "end-of-header": _NO_REPLY_BIT["no-reply-end-of-header"],
    "body": _NO_REPLY_BIT["no-reply-body"],
}

# §7.4: the state each command moves to, and the states it is accepted in.
_NEXT_STATE = {
    "negotiate": "negotiated", "connect": "connected", "helo": "greeted",
    "envelope-from": "envelope_from_received",
    "envelope-recipient": "envelope_recipient_received", "data": "data",
    "header": "header", "end-of-header": "end_of_header", "body": "body",
    "end-of-message": "end_of_message", "unknown": "unknown", "abort": "abort",
}
_IN_MESSAGE = ("envelope_recipient_received", "data", "end_of_header", "body")
_ALLOWED = {
    "negotiate": ("start",),
    "connect": ("negotiated",),
    "helo": ("connected",),
    "envelope-from": ("greeted", "end_of_message", "abort"),
    "envelope-recipient": ("envelope_from_received", "envelope_recipient_received"),
    "data": ("envelope_recipient_received",),
    "header": ("envelope_recipient_received", "data", "header"),
    "end-of-header": ("envelope_recipient_received", "data", "header"),
    "body": _IN_MESSAGE,
    "end-of-message": _IN_MESSAGE,
}


class UsageError(Exception):
    """A bad command line (§7.1): reported on stderr, exit status 1, before `ready`."""


class Exit(Exception):
    """End the process with this status (after the message, if any, on stderr)."""

    def __init__(self, status: int, message: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass
class Action:
    """A verdict: a name of §7.3, or a reply code text (`y TEXT`)."""

    name: str
    reply_code: bytes | None = None


@dataclass
class Options:
    host: str = "127.0.0.1"
    port: int = 9999
    print_status: bool = False
    timeout: float = 3.0
    debug: bool = False
    wait_second: int = 0
    negotiate_version: int | None = None
    negotiate_flags: list[str] = field(default_factory=list)
    no_bind: bool = False
    quit_without_reply: list[str] = field(default_factory=list)
    # Triggers: (argument, action) in command-line order.
    connect_hosts: list[tuple[bytes, Action]] = field(default_factory=list)
    helos: list[tuple[bytes, Action]] = field(default_factory=list)
    envelope_froms: list[tuple[bytes, Action]] = field(default_factory=list)
    envelope_recipients: list[tuple[bytes, Action]] = field(default_factory=list)
    data: Action | None = None
    headers: list[tuple[bytes, bytes | None, Action]] = field(default_factory=list)
    bodies: list[tuple[bytes | re.Pattern[bytes], Action]] = field(default_factory=list)
    end_of_message: Action | None = None
    end_of_message_chunks: list[tuple[bytes | re.Pattern[bytes], Action]] = field(
        default_factory=list)
    # End-of-message actions: the frames to write, in command-line order.
    end_of_message_frames: list[bytes] = field(default_factory=list)


def _arg(value: str) -> bytes:
    return os.fsencode(value)


def _int(option: str, value: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise UsageError(f"{option}: invalid integer: <{value}>") from None


def _split(option: str, value: str, count: int) -> list[str]:
    parts = value.split(":", count)
    if len(parts) <= count:
        raise UsageError(f"{option}: expected {count + 1} parts separated by ':': <{value}>")
    return parts


def _regexp(option: str, value: str) -> re.Pattern[bytes]:
    try:
        return re.compile(_arg(value))
    except re.error as error:
        raise UsageError(f"{option}: invalid regular expression: <{value}>: {error}") from None


def _name_value(name: str, value: str) -> bytes:
    return _arg(name) + b"\0" + _arg(value) + b"\0"


# Options that take no value, and those that do (§7.1).
_SWITCHES = {
    "--exit", "--print-status", "--no-print-status", "--debug", "--no-debug", "--data",
    "--end-of-message", "--progress", "--no-bind", "--quiet", "--verbose",
}
_VALUED = {
    "--host", "--port", "--timeout", "--wait-second", "--action", "--reply-code",
    "--negotiate-version", "--negotiate-flags", "--connect-host", "--helo",
    "--envelope-from", "--envelope-recipient", "--header", "--body", "--body-regexp",
    "--end-of-message-chunk", "--end-of-message-chunk-regexp", "--add-header",
    "--insert-header", "--change-header", "--delete-header", "--remove-header",
    "--change-from", "--add-recipient", "--delete-recipient", "--replace-body",
    "--quarantine", "--quit-without-reply",
}


def parse_options(argv: list[str]) -> Options:
    """Parse in order (§7.1): triggers bind the action current when they are parsed.

    Raises UsageError on a bad option, Exit(0) at `--exit`.
    """
    options = Options()
    current = Action("reject")
    i = 0
    while i < len(argv):
        arg = argv[i]
        i += 1
        if arg == "--":
            break  # everything after it is a non-option argument (ignored)
        if not arg.startswith("--"):
            continue  # §7.1: non-option arguments are ignored
        name, equal, value = arg.partition("=")
        if name in _SWITCHES:
            if equal:
                raise UsageError(f"{name}: needless argument: <{value}>")
        elif name in _VALUED:
            if not equal:
                if i >= len(argv):
                    raise UsageError(f"{name}: missing argument")
                value = argv[i]
                i += 1
        else:
            raise UsageError(f"invalid option: {arg}")

        if name == "--exit":
            raise Exit(0)
        elif name == "--host":
            options.host = value
        elif name == "--port":
            options.port = _int(name, value)
        elif name in ("--print-status", "--no-print-status"):
            options.print_status = name == "--print-status"
        elif name == "--timeout":
            try:
                options.timeout = float(value)
            except ValueError:
                raise UsageError(f"{name}: invalid number: <{value}>") from None
        elif name in ("--debug", "--no-debug"):
            options.debug = name == "--debug"
        elif name == "--wait-second":
            options.wait_second = _int(name, value)
        elif name == "--action":
            current = Action(value.replace("_", "-"))  # not validated here (§7.1)
        elif name == "--reply-code":
            current = Action("reply-code", _arg(value))
        elif name == "--negotiate-version":
            options.negotiate_version = _int(name, value)
        elif name == "--negotiate-flags":
            options.negotiate_flags.append(value)
        elif name == "--connect-host":
            options.connect_hosts.append((_arg(value), current))
        elif name == "--helo":
            options.helos.append((_arg(value), current))
        elif name == "--envelope-from":
            options.envelope_froms.append((_arg(value), current))
        elif name == "--envelope-recipient":
            options.envelope_recipients.append((_arg(value), current))
        elif name == "--data":
            options.data = current
        elif name == "--header":
            # §7.1: split at commas, only the first two items count.
            items = _arg(value).split(b",")
            options.headers.append((items[0], items[1] if len(items) > 1 else None, current))
        elif name == "--body":
            options.bodies.append((_arg(value), current))
        elif name == "--body-regexp":
            options.bodies.append((_regexp(name, value), current))
        elif name == "--end-of-message":
            options.end_of_message = current
        elif name == "--end-of-message-chunk":
            options.end_of_message_chunks.append((_arg(value), current))
        elif name == "--end-of-message-chunk-regexp":
            options.end_of_message_chunks.append((_regexp(name, value), current))
        elif name == "--add-header":
            header, value_text = _split(name, value, 1)
            options.end_of_message_frames.append(frame(b"h", _name_value(header, value_text)))
        elif name == "--insert-header":
            index, header, value_text = _split(name, value, 2)
            options.end_of_message_frames.append(
                frame(b"i", U32.pack(_int(name, index)) + _name_value(header, value_text)))
        elif name == "--change-header":
            header, index, value_text = _split(name, value, 2)
            options.end_of_message_frames.append(
                frame(b"m", U32.pack(_int(name, index)) + _name_value(header, value_text)))
        elif name in ("--delete-header", "--remove-header"):
            # [deviation] --remove-header: upstream's script has no encoder for it and
            # crashes; here it is --delete-header under another name (scenarios.md §7.1).
            header, index = _split(name, value, 1)
            options.end_of_message_frames.append(
                frame(b"m", U32.pack(_int(name, index)) + _name_value(header, "")))
        elif name == "--change-from":
            options.end_of_message_frames.append(frame(b"e", _arg(value) + b"\0"))
        elif name == "--add-recipient":
            options.end_of_message_frames.append(frame(b"+", _arg(value) + b"\0"))
        elif name == "--delete-recipient":
            options.end_of_message_frames.append(frame(b"-", _arg(value) + b"\0"))
        elif name == "--replace-body":
            body = _arg(value)
            pieces = [body[at:at + MILTER_CHUNK_SIZE]
                      for at in range(0, len(body), MILTER_CHUNK_SIZE)] or [b""]
            options.end_of_message_frames.append(b"".join(frame(b"b", p) for p in pieces))
        elif name == "--quarantine":
            options.end_of_message_frames.append(frame(b"q", _arg(value) + b"\0"))
        elif name == "--progress":
            options.end_of_message_frames.append(frame(b"p"))
        elif name == "--no-bind":
            options.no_bind = True
        elif name == "--quit-without-reply":
            options.quit_without_reply.append(value)
        # --quiet, --verbose: accepted, no effect.
    # A bad port fails here, before `ready` (§7.1).
    if not 0 <= options.port <= 65535:
        raise UsageError(f"--port: out of range: <{options.port}>")
    return options


def _matches(pattern: bytes | re.Pattern[bytes], data: bytes) -> bool:
    if isinstance(pattern, bytes):
        return pattern == data
    return pattern.search(data) is not None


class ScenarioMilter:
    """One milter session on a connected socket (§7.2–§7.4)."""

    def __init__(self, options: Options, connection: socket.socket) -> None:
        self.options = options
        self.connection = connection
        self.state = "start"
        self.steps = 0  # the negotiated (masked) steps

    # --- output ---------------------------------------------------------------------

    def print_status(self, signal: str, info: bytes = b"") -> None:
        if not self.options.print_status:
            return
        line = b"receive: " + signal.encode()
        if info:
            line += b": " + info
        if not line.endswith(b"\n"):
            line += b"\n"  # as Ruby's puts: no second newline
        _write_stdout(line)

    def debug(self, message: str) -> None:
        if self.options.debug:
            sys.stderr.write(f"[scenario-milter] {message}\n")
            sys.stderr.flush()

    def send(self, data: bytes) -> None:
        self.connection.sendall(data)

    # --- session --------------------------------------------------------------------

    def serve(self) -> None:
        reader = FrameReader(COMMANDS)
        self.connection.settimeout(self.options.timeout)
        while True:
            try:
                data = self.connection.recv(65536)
            except TimeoutError:
                raise Exit(1, f"timeout: nothing received for {self.options.timeout} "
                              f"seconds in state {self.state}") from None
            if not data:
                try:
                    reader.feed_eof()
                except ProtocolError as error:
                    raise Exit(1, f"decode error: {error}") from None
                raise Exit(0)
            try:
                packets = reader.feed(data)
            except ProtocolError as error:
                for packet in error.packets:
                    self.handle(packet)
                raise Exit(1, f"decode error: {error}") from None
            for packet in packets:
                self.handle(packet)

    def handle(self, packet: object) -> None:
        signal = packet.nick  # type: ignore[attr-defined]
        if signal == "quit-new-connection":
            signal = "quit"
        self.print_status(signal, self.info(signal, packet))
        if signal in self.options.quit_without_reply:
            self.debug(f"quit without reply on {signal}")
            raise Exit(0)
        if signal == "quit":
            raise Exit(0)
        if signal == "define-macro":
            return
        if signal == "abort":
            self.state = "abort"
            return
        allowed = _ALLOWED.get(signal)
        # "any state is accepted while the state is unknown, except for connect"
        if allowed is not None and self.state not in allowed \
                and (self.state != "unknown" or signal == "connect"):
            self.send(frame(b"4"))
            raise Exit(1, f"should not receive reply for {signal} on {self.state}")
        previous, self.state = self.state, _NEXT_STATE[signal]
        self.debug(f"{signal}: {previous} -> {self.state}")
        getattr(self, "on_" + signal.replace("-", "_"))(packet)

    @staticmethod
    def info(signal: str, packet: object) -> bytes:
        p = packet  # type: ignore[assignment]
        if signal == "negotiate":
            return (f"{p.version} {format_actions(p.actions)} "  # type: ignore[attr-defined]
                    f"{format_steps(p.steps)}").encode()  # type: ignore[attr-defined]
        if signal == "define-macro":
            lines = [COMMAND_NICKS.get(p.context, "").encode()]  # type: ignore[attr-defined]
            lines += [b"\n" + name + b": " + value
                      for name, value in p.macros.items()]  # type: ignore[attr-defined]
            return b"".join(lines)
        if signal == "connect":
            return p.hostname + b" " + p.address_text.encode(  # type: ignore[attr-defined]
                "utf-8", "surrogateescape")
        if signal == "helo":
            return p.fqdn  # type: ignore[attr-defined]
        if signal in ("envelope-from", "envelope-recipient"):
            return p.address  # type: ignore[attr-defined]
        if signal == "unknown":
            return p.command  # type: ignore[attr-defined]
        if signal == "header":
            return p.name + b" " + p.value  # type: ignore[attr-defined]
        if signal in ("body", "end-of-message"):
            return p.chunk  # type: ignore[attr-defined]
        return b""

    # --- verdicts (§7.3) --------------------------------------------------------------

    def reply(self, signal: str, action: Action | None) -> None:
        action = action or Action("continue")
        if action.name == "no-response":
            self.debug(f"no response for {signal}; sleeping {self.options.wait_second}s")
            time.sleep(self.options.wait_second)
            self.state = "abort"
            return
        if action.name == "reply-code":
            data = frame(b"y", (action.reply_code or b"") + b"\0")
        else:
            code = _VERDICT_CODES.get(action.name)
            if code is None:
                raise Exit(1, f"unknown action: <{action.name}>")
            data = frame(code)
        bit = _SUPPRESSIBLE.get(signal)
        if bit is not None and self.steps & bit and action.name != "shutdown":
            self.debug(f"{signal}: reply {action.name} suppressed (no-reply step)")
            return
        self.send(data)

    def on_negotiate(self, packet: object) -> None:
        mask = 0
        for text in self.options.negotiate_flags:
            try:
                mask |= parse_steps(text)
            except ProtocolError as error:
                raise Exit(1, f"--negotiate-flags: {error}") from None
        version = self.options.negotiate_version
        if version is None:
            version = packet.version  # type: ignore[attr-defined]
        self.steps = packet.steps & mask  # type: ignore[attr-defined]
        self.send(frame(b"O", U32.pack(version) + U32.pack(packet.actions)  # type: ignore[attr-defined]
                        + U32.pack(self.steps)))

    def on_connect(self, packet: object) -> None:
        self.reply("connect", _last(self.options.connect_hosts, packet.hostname))  # type: ignore[attr-defined]

    def on_helo(self, packet: object) -> None:
        self.reply("helo", _last(self.options.helos, packet.fqdn))  # type: ignore[attr-defined]

    def on_envelope_from(self, packet: object) -> None:
        self.reply("envelope-from", _last(self.options.envelope_froms, packet.address))  # type: ignore[attr-defined]

    def on_envelope_recipient(self, packet: object) -> None:
        self.reply("envelope-recipient",
                   _last(self.options.envelope_recipients, packet.address))  # type: ignore[attr-defined]

    def on_data(self, packet: object) -> None:
        self.reply("data", self.options.data)

    def on_header(self, packet: object) -> None:
        action = None
        for name, value, bound in self.options.headers:
            if name == packet.name and value == packet.value:  # type: ignore[attr-defined]
                action = bound  # the last matching --header wins
        self.reply("header", action)

    def on_end_of_header(self, packet: object) -> None:
        self.reply("end-of-header", None)

    def on_body(self, packet: object) -> None:
        self.reply("body", _first(self.options.bodies, packet.chunk))  # type: ignore[attr-defined]

    def on_end_of_message(self, packet: object) -> None:
        for data in self.options.end_of_message_frames:
            self.send(data)
        chunk = packet.chunk  # type: ignore[attr-defined]
        action = _first(self.options.end_of_message_chunks, chunk) if chunk else None
        self.reply("end-of-message", action or self.options.end_of_message)

    def on_unknown(self, packet: object) -> None:
        self.reply("unknown", None)


def _last(triggers: list[tuple[bytes, Action]], value: bytes) -> Action | None:
    action = None
    for expected, bound in triggers:
        if expected == value:
            action = bound
    return action


def _first(triggers: list[tuple[bytes | re.Pattern[bytes], Action]],
           value: bytes) -> Action | None:
    for pattern, bound in triggers:
        if _matches(pattern, value):
            return bound
    return None


def _write_stdout(data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(1, view)
        view = view[written:]


def _listen(options: Options) -> socket.socket:
    family = socket.AF_INET6 if ":" in options.host else socket.AF_INET
    listener = socket.socket(family, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind((options.host, options.port))
    listener.listen(1)
    return listener


def run(argv: list[str]) -> int:
    """§7.5: parse, listen, serve one connection; the exit status."""
    try:
        options = parse_options(argv)
    except UsageError as error:
        sys.stderr.write(f"scenario_milter: {error}\n")
        return 1
    except Exit as done:
        return done.status
    try:
        if options.no_bind:
            if options.print_status:
                _write_stdout(b"ready\n")
            time.sleep(options.timeout)
            return 0
        try:
            listener = _listen(options)
        except OSError as error:
            raise Exit(1, f"failed to listen on {options.host}:{options.port}: "
                          f"{error.strerror or error}") from None
        if options.print_status:
            _write_stdout(b"ready\n")
        listener.settimeout(options.timeout)
        try:
            connection, _ = listener.accept()
        except TimeoutError:
            raise Exit(1, f"no connection within {options.timeout} seconds") from None
        finally:
            # [deviation] upstream's script keeps listening; a later connection
            # would then sit in the backlog unanswered (scenarios.md §7.5).
            listener.close()
        with connection:
            ScenarioMilter(options, connection).serve()
        return 0
    except Exit as done:
        if done.message:
            sys.stderr.write(f"scenario_milter: {done.message}\n")
            sys.stderr.flush()
        return done.status
    except OSError as error:
        sys.stderr.write(f"scenario_milter: {error}\n")
        return 1
    except KeyboardInterrupt:
        return 1


def main() -> None:
    sys.exit(run(sys.argv[1:]))


if __name__ == "__main__":
    main()
