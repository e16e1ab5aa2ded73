#!/usr/bin/env python3
"""A small example milter for trying milter-manager: it serves any number of
connections and, at end of message, adds one header and optionally a
recipient. It accepts everything else.

    python examples/demo_milter.py --port 10026 --add-header "X-Demo: seen"

Built on the project's own codec (milter_manager.protocol); one thread per
connection keeps it short. It is an example, not production code.
"""

from __future__ import annotations

import argparse
import socket
import socketserver
import sys

from milter_manager.protocol import (
    COMMANDS,
    FrameReader,
    ProtocolError,
)
from milter_manager.protocol.replies import (
    AddHeader,
    AddRecipient,
    Continue,
    NegotiateReply,
)

# The commands this milter answers (every other one gets no reply: D, A, Q).
_ANSWERED = {"connect", "helo", "envelope-from", "envelope-recipient", "data",
             "header", "end-of-header", "body", "unknown"}


def make_handler(header: tuple[bytes, bytes] | None, recipient: bytes | None):
    class MilterSession(socketserver.BaseRequestHandler):
        def handle(self) -> None:
            reader = FrameReader(COMMANDS)
            sock: socket.socket = self.request
            while True:
                data = sock.recv(65536)
                if not data:
                    return
                try:
                    packets = reader.feed(data)
                except ProtocolError as error:
                    print(f"demo milter: {error}", file=sys.stderr)
                    return
                for packet in packets:
                    out = self.answer(packet)
                    if out is None:
                        return
                    if out:
                        sock.sendall(out)

        def answer(self, packet) -> bytes | None:
            nick = packet.nick
            if nick == "negotiate":
                # Ask for every command (steps 0), keep the MTA's actions.
                return NegotiateReply(min(packet.version, 6), packet.actions, 0).encode()
            if nick in ("quit", "quit-new-connection"):
                return None
            if nick == "end-of-message":
                out = []
                if header:
                    out.append(AddHeader(*header).encode())
                if recipient:
                    out.append(AddRecipient(recipient).encode())
                out.append(Continue().encode())
                return b"".join(out)
            if nick in _ANSWERED:
                return Continue().encode()
            return b""

    return MilterSession


class Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--add-header", metavar="NAME: VALUE")
    parser.add_argument("--add-recipient", metavar="ADDRESS")
    args = parser.parse_args(argv)
    header = None
    if args.add_header:
        name, _, value = args.add_header.partition(":")
        header = (name.strip().encode(), value.strip().encode())
    recipient = args.add_recipient.encode() if args.add_recipient else None
    with Server((args.host, args.port), make_handler(header, recipient)) as server:
        print(f"demo milter listening on inet:{args.port}@[{args.host}]", flush=True)
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
