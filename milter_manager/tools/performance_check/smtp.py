"""One SMTP session of the load generator, on the manager's event loop.

The dialog of tools.md §3.2 is a plain generator (`dialog`): it yields what to
do next (send a command and wait for its reply, wait for the greeting, start
TLS) and gets the replies back, so the whole conversation reads top to bottom
and knows nothing about sockets. `SmtpSession` drives it on the
`milter_manager.manager.loop.EventLoop` with the manager's buffered `Stream`
(the tools issue: no second networking stack): many sessions share one loop,
nothing blocks, and a reading timeout is a loop deadline.

STARTTLS runs in memory: an `ssl.SSLObject` between two `ssl.MemoryBIO`s
turns the ciphertext the `Stream` reads into plaintext for the reply reader,
and the commands into ciphertext for the `Stream`. Certificates are not
verified (§3.1).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import socket
import ssl
import time
from collections.abc import Callable, Generator
from dataclasses import dataclass, field

from milter_manager.manager.connection import ConnectResult, Stream, connect_stream
from milter_manager.manager.loop import Deadline, EventLoop

from .mails import Outgoing

CONNECT_TIMEOUT = 30.0  # as Ruby's Net::SMTP open_timeout
MAX_LINE = 65536

SUCCESS = "success"
TEMPORARY_FAILURE = "temporary-failure"
REJECT = "reject"
ERROR = "error"


class SessionError(Exception):
    """A failure that is not an SMTP reply (§3.4 "error"); shown as `CLASS: MESSAGE`."""

    def __init__(self, class_name: str, message: str) -> None:
        super().__init__(message)
        self.class_name = class_name

    def describe(self) -> str:
        return f"{self.class_name}: {self}"


def describe_exception(error: BaseException) -> str:
    """§3.4: `CLASS: MESSAGE`, e.g. `ConnectionRefusedError: [Errno 111] Connection refused`."""
    if isinstance(error, SessionError):
        return error.describe()
    return f"{type(error).__name__}: {error}"


@dataclass
class Reply:
    code: int
    lines: list[str]  # the text after `CODE-`/`CODE `, one per line

    def text(self) -> str:
        """§3.4: the reply line(s) as `CODE TEXT`."""
        return "\n".join(f"{self.code} {line}".rstrip() for line in self.lines)


class ReplyReader:
    """Bytes in, complete (multi-line) replies out (RFC 5321 §4.2)."""

    def __init__(self) -> None:
        self._buffer = b""
        self._lines: list[str] = []

    def feed(self, data: bytes) -> list[Reply]:
        self._buffer += data
        replies: list[Reply] = []
        while True:
            end = self._buffer.find(b"\n")
            if end < 0:
                if len(self._buffer) > MAX_LINE:
                    raise SessionError("SMTPProtocolError", "reply line too long")
                return replies
            raw, self._buffer = self._buffer[:end], self._buffer[end + 1:]
            line = raw.rstrip(b"\r").decode("utf-8", "replace")
            if len(line) < 3 or not line[:3].isdigit() or line[3:4] not in ("", " ", "-"):
                raise SessionError("SMTPProtocolError", f"malformed reply: {line!r}")
            self._lines.append(line[4:])
            if line[3:4] != "-":
                replies.append(Reply(int(line[:3]), self._lines))
                self._lines = []


# -- the dialog (§3.2) ----------------------------------------------------------------------

@dataclass(frozen=True)
class Send:
    """Send `data` (a command line or the message), then wait for a reply."""

    data: bytes


@dataclass(frozen=True)
class Expect:
    """Wait for a reply without sending (the greeting)."""


@dataclass(frozen=True)
class StartTls:
    """Run the TLS handshake; resumes with None."""


@dataclass(frozen=True)
class Outcome:
    kind: str  # SUCCESS, TEMPORARY_FAILURE, REJECT or ERROR
    message: str = ""


@dataclass
class Plan:
    """How to send one mail: the mail plus the connection-wide settings."""

    mail: Outgoing
    starttls: str = "auto"
    credentials: tuple[str, str] | None = None
    auth_mechanism: str = "auto"
    xclient_name: str | None = None
    xclient_address: str | None = None


class _Refused(Exception):
    def __init__(self, reply: Reply) -> None:
        super().__init__(reply.text())
        self.reply = reply


Step = Send | Expect | StartTls
Dialog = Generator[Step, Reply | None, Outcome]


def _extensions(reply: Reply) -> dict[str, list[str]]:
    """EHLO keywords (upper case) and their parameters; `AUTH=…` counts as AUTH."""
    extensions: dict[str, list[str]] = {}
    for line in reply.lines[1:]:
        words = line.split()
        if not words:
            continue
        keyword = words[0].upper()
        if keyword.startswith("AUTH="):
            extensions.setdefault("AUTH", []).extend(
                w.upper() for w in [keyword[5:], *words[1:]])
            continue
        extensions.setdefault(keyword, []).extend(w.upper() for w in words[1:])
    return extensions


def dot_stuff(message: bytes) -> bytes:
    """RFC 5321 §4.5.2 transparency, plus the final CRLF before `.`."""
    if not message.endswith(b"\r\n"):
        message += b"\r\n"
    if message.startswith(b"."):
        message = b"." + message
    return message.replace(b"\r\n.", b"\r\n..") + b".\r\n"


def _xtext(value: str) -> str:
    """RFC 3461 xtext, which XCLIENT attribute values use."""
    return "".join(c if "!" <= c <= "~" and c not in "+=" else
                   "".join(f"+{b:02X}" for b in c.encode()) for c in value)


def _ruby_list(items: list[str]) -> str:
    return "[" + ", ".join(f'"{item}"' for item in items) + "]"


def _choose_mechanism(wanted: str, offered: list[str]) -> str:
    """§3.1 --auth-mechanism: `auto` prefers CRAM-MD5, then PLAIN, then LOGIN."""
    if not offered:
        raise SessionError("SMTPNotSupportedError", "authentication isn't capable")
    if wanted == "auto":
        for mechanism in ("CRAM-MD5", "PLAIN", "LOGIN"):
            if mechanism in offered:
                return mechanism
        raise SessionError("SMTPNotSupportedError",
                           "all capable authentication mechanisms are not supported: "
                           + _ruby_list(offered))
    mechanism = wanted.upper().replace("_", "-")
    if mechanism not in offered:
        raise SessionError("SMTPNotSupportedError",
                           f'specified mechanism isn\'t supported: "{mechanism}": '
                           + _ruby_list(offered))
    return mechanism


def _b64(data: str | bytes) -> bytes:
    return base64.b64encode(data.encode() if isinstance(data, str) else data)


def dialog(plan: Plan) -> Dialog:
    """The conversation of §3.2; returns the mail's outcome (§3.4)."""
    mail = plan.mail

    def command(line: str | bytes) -> Generator[Step, Reply | None, Reply]:
        data = line if isinstance(line, bytes) else line.encode("utf-8") + b"\r\n"
        reply = yield Send(data)
        assert reply is not None
        if reply.code >= 400:
            raise _Refused(reply)
        return reply

    def greet() -> Generator[Step, Reply | None, dict[str, list[str]]]:
        """EHLO, falling back to HELO when EHLO is refused."""
        reply = yield Send(f"EHLO {mail.helo}\r\n".encode())
        assert reply is not None
        if reply.code < 400:
            return _extensions(reply)
        yield from command(f"HELO {mail.helo}")
        return {}

    try:
        greeting = yield Expect()
        assert greeting is not None
        if greeting.code >= 400:
            raise _Refused(greeting)
        extensions = yield from greet()
        if plan.starttls == "always" or (plan.starttls == "auto" and "STARTTLS" in extensions):
            if "STARTTLS" not in extensions:
                raise SessionError("SMTPNotSupportedError",
                                   "STARTTLS is not supported on this server")
            yield from command("STARTTLS")
            yield StartTls()
            extensions = yield from greet()
        if plan.xclient_name is not None or plan.xclient_address is not None:
            if "XCLIENT" not in extensions:
                raise SessionError("SMTPNotSupportedError",
                                   "XCLIENT is not supported on this server")
            attributes = []
            if plan.xclient_name is not None:
                attributes.append(f"NAME={_xtext(plan.xclient_name)}")
            if plan.xclient_address is not None:
                attributes.append(f"ADDR={_xtext(plan.xclient_address)}")
            yield from command("XCLIENT " + " ".join(attributes))
            extensions = yield from greet()
        if plan.credentials is not None:
            yield from authenticate(plan, extensions.get("AUTH", []))
        yield from command(f"MAIL FROM:<{mail.sender}>")
        for recipient in mail.recipients:
            yield from command(f"RCPT TO:<{recipient}>")
        yield from command("DATA")
        yield from command(dot_stuff(mail.message))
    except _Refused as refused:
        yield Send(b"QUIT\r\n")
        kind = TEMPORARY_FAILURE if refused.reply.code < 500 else REJECT
        return Outcome(kind, refused.reply.text())
    except SessionError as error:
        yield Send(b"QUIT\r\n")
        return Outcome(ERROR, error.describe())
    yield Send(b"QUIT\r\n")
    return Outcome(SUCCESS)


def authenticate(plan: Plan, offered: list[str]) -> Generator[Step, Reply | None, None]:
    """SMTP AUTH with PLAIN, LOGIN or CRAM-MD5 (§3.1); every problem is an error."""
    assert plan.credentials is not None
    user, password = plan.credentials
    mechanism = _choose_mechanism(plan.auth_mechanism, offered)

    def step(data: bytes) -> Generator[Step, Reply | None, Reply]:
        reply = yield Send(data + b"\r\n")
        assert reply is not None
        if reply.code >= 400:
            raise SessionError("SMTPAuthenticationError", reply.text())
        return reply

    if mechanism == "PLAIN":
        reply = yield from step(b"AUTH PLAIN " + _b64(f"\0{user}\0{password}"))
    elif mechanism == "LOGIN":
        yield from step(b"AUTH LOGIN")
        yield from step(_b64(user))
        reply = yield from step(_b64(password))
    else:
        challenge = yield from step(b"AUTH CRAM-MD5")
        nonce = base64.b64decode((challenge.lines[0] if challenge.lines else "").strip())
        digest = hmac.new(password.encode(), nonce, hashlib.md5).hexdigest()
        reply = yield from step(_b64(f"{user} {digest}"))
    if reply.code != 235:
        raise SessionError("SMTPAuthenticationError", reply.text())


# -- the session on the loop -------------------------------------------------------------------

@dataclass
class Result:
    """What one mail came to (§3.4, §3.5)."""

    path: str | None
    started: float        # wall clock (time.time()) at the start of the connect
    response_time: float  # seconds, connect to the end of the session
    size: int             # bytes of the message
    kind: str
    message: str = ""
    finished: float = field(default=0.0)  # wall clock at the end


def _tls_context() -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE  # §3.1: certificates are not verified
    return context


class SmtpSession:
    """Drives one `dialog` over one connection; `done(Result)` at the end."""

    def __init__(self, loop: EventLoop, address: tuple[str, int], plan: Plan,
                 reading_timeout: float, done: Callable[[Result], None]) -> None:
        self.loop = loop
        self.address = address
        self.plan = plan
        self.reading_timeout = reading_timeout
        self.done = done
        self.dialog = dialog(plan)
        self.reader = ReplyReader()
        self.stream: Stream | None = None
        self.connector = None
        self.deadline: Deadline | None = None
        self.waiting = False
        self.tls: ssl.SSLObject | None = None
        self.tls_in: ssl.MemoryBIO | None = None
        self.tls_out: ssl.MemoryBIO | None = None
        self.handshaking = False
        self.finished = False
        self.quitting = False
        self.started_wall = 0.0
        self.started = 0.0

    # -- start and end -----------------------------------------------------------------

    def start(self) -> None:
        self.started_wall = time.time()
        self.started = time.monotonic()
        host, port = self.address
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except OSError as error:
            self._finish(Outcome(ERROR, describe_exception(error)))
            return
        family, _, _, _, sockaddr = infos[0]
        self.connector = connect_stream(self.loop, family, sockaddr, CONNECT_TIMEOUT,
                                        self._connected)

    def _connected(self, result: ConnectResult) -> None:
        self.connector = None
        if result.sock is None:
            error = result.error or OSError("connection failed")
            self._finish(Outcome(ERROR, describe_exception(error)))
            return
        self.stream = Stream(self.loop, result.sock, self)
        self.deadline = self.loop.deadline(self._timed_out)
        self._advance(None)

    def abort(self) -> None:
        """Drop the session without a result (the run was interrupted)."""
        self.finished = True
        self._close()

    def _close(self) -> None:
        if self.connector is not None:
            self.connector.cancel()
            self.connector = None
        if self.deadline is not None:
            self.deadline.cancel()
        if self.stream is not None:
            self.stream.close_after_flush()

    def _finish(self, outcome: Outcome) -> None:
        if self.finished:
            return
        self.finished = True
        self._close()
        now = time.monotonic()
        mail = self.plan.mail
        elapsed = now - self.started
        self.done(Result(mail.path, self.started_wall, elapsed, len(mail.message),
                         outcome.kind, outcome.message, self.started_wall + elapsed))

    def _fail(self, error: BaseException) -> None:
        if self.quitting:
            # The verdict was settled before QUIT; a QUIT that gets no
            # reply does not change it.
            self._finish(self._quit_outcome())
            return
        self._finish(Outcome(ERROR, describe_exception(error)))

    # -- driving the dialog ------------------------------------------------------------

    def _advance(self, reply: Reply | None) -> None:
        try:
            step = self.dialog.send(reply)
        except StopIteration as stop:
            self._finish(stop.value)
            return
        except Exception as error:  # noqa: BLE001 - e.g. a garbled AUTH challenge
            self._fail(error)
            return
        if isinstance(step, Send):
            if step.data == b"QUIT\r\n":
                self.quitting = True
            self._write(step.data)
            self._wait_reply()
        elif isinstance(step, Expect):
            self._wait_reply()
        else:
            self._start_tls()

    def _wait_reply(self) -> None:
        self.waiting = True
        assert self.deadline is not None
        self.deadline.arm(self.reading_timeout)

    def _timed_out(self) -> None:
        if not self.finished:
            self._fail(SessionError("TimeoutError", "timed out waiting for the SMTP reply"))

    def _replies(self, replies: list[Reply]) -> None:
        for reply in replies:
            if self.finished:
                return
            if not self.waiting:
                self._fail(SessionError("SMTPProtocolError",
                                        f"unexpected reply: {reply.text()}"))
                return
            self.waiting = False
            assert self.deadline is not None
            self.deadline.cancel()
            self._advance(reply)

    # -- StreamProtocol ----------------------------------------------------------------

    def data_received(self, data: bytes) -> None:
        if self.finished:
            return
        try:
            if self.tls is not None:
                data = self._decrypt(data)
                if self.finished or not data:
                    return
            self._replies(self.reader.feed(data))
        except SessionError as error:
            self._fail(error)
        except ssl.SSLError as error:
            self._fail(error)

    def eof_received(self) -> None:
        if not self.finished:
            self._fail(SessionError("SMTPServerDisconnected", "Connection unexpectedly closed"))

    def connection_lost(self, error: BaseException | None) -> None:
        if not self.finished:
            self._fail(error or SessionError("SMTPServerDisconnected",
                                             "Connection unexpectedly closed"))

    def _quit_outcome(self) -> Outcome:
        """The dialog's own outcome once QUIT has been sent (it ends on any reply)."""
        try:
            self.dialog.send(Reply(221, []))
        except StopIteration as stop:
            if stop.value is not None:
                return stop.value
        except Exception as error:  # noqa: BLE001 - reported as the mail's error
            return Outcome(ERROR, describe_exception(error))
        return Outcome(ERROR, "SMTPProtocolError: the dialog did not end after QUIT")

    # -- TLS ---------------------------------------------------------------------------

    def _write(self, data: bytes) -> None:
        assert self.stream is not None
        if self.tls is None:
            self.stream.write(data)
            return
        self.tls.write(data)
        self._flush_tls()

    def _flush_tls(self) -> None:
        assert self.tls_out is not None and self.stream is not None
        pending = self.tls_out.read()
        if pending:
            self.stream.write(pending)

    def _start_tls(self) -> None:
        self.tls_in = ssl.MemoryBIO()
        self.tls_out = ssl.MemoryBIO()
        self.tls = _tls_context().wrap_bio(self.tls_in, self.tls_out,
                                           server_hostname=None)
        self.handshaking = True
        self.waiting = False
        assert self.deadline is not None
        self.deadline.arm(self.reading_timeout)
        try:
            self._handshake()
        except ssl.SSLError as error:
            self._fail(error)

    def _handshake(self) -> None:
        assert self.tls is not None
        try:
            self.tls.do_handshake()
        except ssl.SSLWantReadError:
            self._flush_tls()
            return
        self._flush_tls()
        self.handshaking = False
        assert self.deadline is not None
        self.deadline.cancel()
        self._advance(None)

    def _decrypt(self, data: bytes) -> bytes:
        assert self.tls is not None and self.tls_in is not None
        self.tls_in.write(data)
        if self.handshaking:
            self._handshake()
            if self.handshaking or self.finished:
                return b""
        chunks = []
        while True:
            try:
                chunk = self.tls.read(MAX_LINE)
            except ssl.SSLWantReadError:
                break
            except ssl.SSLZeroReturnError:
                break
            if not chunk:
                break
            chunks.append(chunk)
        self._flush_tls()
        return b"".join(chunks)
