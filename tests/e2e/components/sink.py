"""The final destination: an aiosmtpd server that keeps every message's exact
bytes and envelope (real-components.md §3, in-process variant).

Postfix relays to it asynchronously, so a test waits for the n-th message
with `Sink.wait_for(n)`. Each message is also written to OUTDIR/msgN.eml and
msgN.env, which the failure report shows.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

from aiosmtpd.controller import Controller

from .ports import free_port
from .waiting import wait_until

SINK_REPLY = "250 2.0.0 OK stored"


@dataclass(frozen=True)
class Delivered:
    """One message as the sink received it."""

    mail_from: str
    rcpt_tos: tuple[str, ...]
    mail_options: tuple[str, ...]
    data: bytes  # the DATA exactly as sent, dot-stuffing removed, CRLF kept

    @property
    def header_block(self) -> bytes:
        """Everything before the first empty line (the headers, CRLF-terminated)."""
        head, sep, _ = self.data.partition(b"\r\n\r\n")
        return head + b"\r\n" if sep else self.data

    @property
    def body(self) -> bytes:
        _, sep, body = self.data.partition(b"\r\n\r\n")
        return body if sep else b""


class _Handler:
    def __init__(self, sink: Sink) -> None:
        self.sink = sink

    async def handle_DATA(self, server, session, envelope) -> str:
        # original_content: the raw DATA (only the dot-stuffing undone), which
        # is what "the exact bytes the sink received" means.
        raw = envelope.original_content
        if raw is None:
            raw = envelope.content
        self.sink._store(Delivered(
            mail_from=envelope.mail_from,
            rcpt_tos=tuple(envelope.rcpt_tos),
            mail_options=tuple(envelope.mail_options),
            data=bytes(raw)))
        return SINK_REPLY


class Sink:
    """An SMTP sink on 127.0.0.1:PORT that stores what it receives."""

    def __init__(self, outdir: Path, port: int | None = None) -> None:
        self.outdir = outdir
        self.port = port or free_port()
        self.messages: list[Delivered] = []
        self._lock = threading.Lock()
        self._controller = Controller(_Handler(self), hostname="127.0.0.1", port=self.port)

    def start(self) -> Sink:
        self.outdir.mkdir(parents=True, exist_ok=True)
        self._controller.start()  # returns once the server answers a probe
        return self

    def stop(self) -> None:
        self._controller.stop()

    def _store(self, msg: Delivered) -> None:
        with self._lock:
            self.messages.append(msg)
            n = len(self.messages)
        (self.outdir / f"msg{n}.eml").write_bytes(msg.data)
        (self.outdir / f"msg{n}.env").write_text(
            f"from={msg.mail_from}\nto={list(msg.rcpt_tos)}\noptions={list(msg.mail_options)}\n")

    def wait_for(self, count: int, *, timeout: float = 20.0,
                 logs: tuple[Path, ...] = ()) -> list[Delivered]:
        """Wait until at least `count` messages have arrived; return them all."""
        def enough() -> list[Delivered] | None:
            with self._lock:
                return list(self.messages) if len(self.messages) >= count else None
        return wait_until(enough, timeout=timeout,
                          what=f"{count} message(s) at the sink on port {self.port}", logs=logs)

    def wait_for_one(self, *, timeout: float = 20.0, logs: tuple[Path, ...] = ()) -> Delivered:
        """The single message a test expects; fails if more arrived."""
        messages = self.wait_for(1, timeout=timeout, logs=logs)
        assert len(messages) == 1, f"expected one message at the sink, got {len(messages)}"
        return messages[0]
