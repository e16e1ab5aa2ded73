"""A minimal authoritative DNS responder on 127.0.0.1 for tests (A, AAAA and
PTR answers from a dict; NXDOMAIN otherwise). Never the system resolver."""

from __future__ import annotations

import socket
import struct
import threading
from typing import Self

TYPES = {1: "A", 12: "PTR", 28: "AAAA"}


def _read_name(data: bytes, pos: int) -> tuple[str, int]:
    labels = []
    while data[pos]:
        n = data[pos]
        labels.append(data[pos + 1:pos + 1 + n].decode())
        pos += 1 + n
    return ".".join(labels), pos + 1


def _encode_name(name: str) -> bytes:
    out = b""
    for label in name.rstrip(".").split("."):
        out += bytes([len(label)]) + label.encode()
    return out + b"\0"


class TinyDNS:
    """records: {("name", "A"): ["1.2.3.4"], ("4.3.2.1.in-addr.arpa", "PTR"): ["x."]}"""

    def __init__(self, records: dict[tuple[str, str], list[str]], silent: bool = False) -> None:
        self.records = {(k[0].lower().rstrip("."), k[1]): v for k, v in records.items()}
        self.silent = silent   # receive but never answer (timeouts)
        self.queries: list[tuple[str, str]] = []
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self._stop = False
        self._thread: threading.Thread | None = None

    def __enter__(self) -> Self:
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop = True
        self.sock.close()

    def _serve(self) -> None:
        self.sock.settimeout(0.2)
        while not self._stop:
            try:
                data, peer = self.sock.recvfrom(512)
            except TimeoutError:
                continue
            except OSError:
                return
            qid = struct.unpack(">H", data[:2])[0]
            name, pos = _read_name(data, 12)
            qtype = struct.unpack(">H", data[pos:pos + 2])[0]
            kind = TYPES.get(qtype, str(qtype))
            self.queries.append((name, kind))
            if self.silent:
                continue
            answers = self.records.get((name.lower(), kind), [])
            rcode = 0 if answers or any(k[0] == name.lower() for k in self.records) else 3
            header = struct.pack(">HHHHHH", qid, 0x8180 | rcode, 1, len(answers), 0, 0)
            question = data[12:pos + 4]
            body = b""
            for value in answers:
                if kind == "A":
                    rdata = socket.inet_aton(value)
                elif kind == "AAAA":
                    rdata = socket.inet_pton(socket.AF_INET6, value)
                else:
                    rdata = _encode_name(value)
                body += b"\xc0\x0c" + struct.pack(">HHIH", qtype, 1, 60, len(rdata)) + rdata
            try:
                self.sock.sendto(header + question + body, peer)
            except OSError:
                return
