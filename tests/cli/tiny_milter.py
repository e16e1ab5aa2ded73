"""A tiny child milter for the daemon tests, standard library only.

Serves any number of connections (one thread each). It answers `continue`
to every command and, at end-of-message, adds the header
`X-Seen-By: NAME` before its `continue`, so the MTA side sees which children
took part in a session. `--delay-eom SECONDS` keeps a session in progress.

As a script (what the process launcher starts):
    python tiny_milter.py --port PORT --name NAME [--delay-eom S]
It prints `ready` on stdout once it listens.
"""

from __future__ import annotations

import argparse
import socket
import struct
import sys
import threading
import time

SMFIF_ADDHDRS = 0x01


def _frame(code: bytes, data: bytes = b"") -> bytes:
    return struct.pack(">I", len(data) + 1) + code + data


def _read_frame(conn: socket.socket) -> tuple[bytes, bytes] | None:
    head = _read_exactly(conn, 4)
    if head is None:
        return None
    (length,) = struct.unpack(">I", head)
    body = _read_exactly(conn, length)
    if body is None or not body:
        return None
    return body[:1], body[1:]


def _read_exactly(conn: socket.socket, n: int) -> bytes | None:
    data = b""
    while len(data) < n:
        chunk = conn.recv(n - len(data))
        if not chunk:
            return None
        data += chunk
    return data


class TinyMilter:
    def __init__(self, name: str, port: int = 0, delay_eom: float = 0.0) -> None:
        self.name = name
        self.delay_eom = delay_eom
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", port))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        self.spec = f"inet:{self.port}@127.0.0.1"
        self.sessions = 0
        self.running = True
        self.thread = threading.Thread(target=self._accept, daemon=True)

    def start(self) -> TinyMilter:
        self.thread.start()
        return self

    def _accept(self) -> None:
        while self.running:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        conn.settimeout(60)
        try:
            while True:
                try:
                    packet = _read_frame(conn)
                except OSError:
                    return
                if packet is None:
                    return
                code, data = packet
                if code == b"O":
                    version = struct.unpack(">I", data[:4])[0]
                    self.sessions += 1
                    conn.sendall(_frame(b"O", struct.pack(">III", min(version, 6),
                                                          SMFIF_ADDHDRS, 0)))
                elif code in (b"D", b"A"):
                    continue
                elif code in (b"Q", b"K"):
                    return
                elif code == b"E":
                    if self.delay_eom:
                        time.sleep(self.delay_eom)
                    conn.sendall(_frame(b"h", b"X-Seen-By\0" + self.name.encode() + b"\0")
                                 + _frame(b"c"))
                else:
                    conn.sendall(_frame(b"c"))
        finally:
            conn.close()

    def stop(self) -> None:
        self.running = False
        self.sock.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--name", required=True)
    parser.add_argument("--delay-eom", type=float, default=0.0)
    args = parser.parse_args()
    milter = TinyMilter(args.name, args.port, args.delay_eom)
    print("ready", flush=True)
    milter.running = True
    milter._accept()


if __name__ == "__main__":
    sys.exit(main())
