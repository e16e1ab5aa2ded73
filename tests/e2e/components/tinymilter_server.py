#!/usr/bin/env python3
"""A minimal milter for end-to-end tests (real-components.md §5); stdlib only.

usage: tinymilter_server.py PORT LOGFILE [--header NAME VALUE]... [--eom-delay SECONDS]

Speaks milter protocol version 6, asks for every command (protocol flags 0)
and answers each with continue; at end-of-message it adds its headers (add
header, `h`, appended after the last header) and accepts. Every command it
receives is written to LOGFILE, so a test can see what the MTA (or the
manager) sent. `--eom-delay` waits before answering end-of-message (for
shutdown and timeout tests).
"""

import argparse
import asyncio
import struct

SMFIF_ADDHDRS = 0x01
# Commands the protocol says get no reply (protocol.md): macros and abort.
NO_REPLY = {b"D", b"A"}


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    parser.add_argument("port", type=int)
    parser.add_argument("log")
    parser.add_argument("--header", nargs=2, action="append", metavar=("NAME", "VALUE"))
    parser.add_argument("--eom-delay", type=float, default=0.0)
    args = parser.parse_args()
    if args.header is None:
        args.header = [["X-Tiny-Milter", "seen-by-tinymilter"]]
    return args


async def handle(reader, writer, args, log, conn_id):
    async def send(cmd: bytes, data: bytes = b"") -> None:
        writer.write(struct.pack("!I", len(data) + 1) + cmd + data)
        await writer.drain()

    try:
        while True:
            (size,) = struct.unpack("!I", await reader.readexactly(4))
            packet = await reader.readexactly(size)
            cmd, data = packet[:1], packet[1:]
            log.write(f"{conn_id} {cmd.decode('latin-1')} {data[:200]!r}\n")
            if cmd == b"O":
                await send(b"O", struct.pack("!III", 6, SMFIF_ADDHDRS, 0))
            elif cmd in NO_REPLY:
                pass
            elif cmd == b"E":
                if args.eom_delay:
                    await asyncio.sleep(args.eom_delay)
                for name, value in args.header:
                    await send(b"h", name.encode() + b"\0" + value.encode() + b"\0")
                await send(b"a")
            elif cmd == b"Q":
                break
            else:
                await send(b"c")
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    finally:
        log.write(f"{conn_id} closed\n")
        writer.close()


async def serve(args: argparse.Namespace, log) -> None:
    counter = 0

    async def on_connect(reader, writer):
        nonlocal counter
        counter += 1
        await handle(reader, writer, args, log, counter)

    server = await asyncio.start_server(on_connect, "127.0.0.1", args.port)
    log.write(f"listening on 127.0.0.1:{args.port}\n")
    async with server:
        await server.serve_forever()


def main() -> None:
    args = parse_args()
    with open(args.log, "a", buffering=1) as log:
        asyncio.run(serve(args, log))


if __name__ == "__main__":
    main()
