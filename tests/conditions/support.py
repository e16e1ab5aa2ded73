"""Live sessions through the manager for the stock applicable conditions:
recording child milters, an MTA driving whole sessions on the wire, a DNS
server of the test's own on loopback port 53 (the spec README's resolver
decision: `MILTER_MANAGER_RESOLV_CONF` names a file listing it), and the
stock configuration (upstream's files or ours) loaded with a site file.
"""

from __future__ import annotations

import ipaddress
import socket
import struct
import textwrap
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from milter_manager.config.loader import ConfigurationLoader, LoadOptions, data_dir
from milter_manager.manager import Manager
from milter_manager.protocol import COMMANDS, REPLIES, FrameReader, ProtocolError
from milter_manager.protocol.commands import (
    Body,
    Connect,
    Data,
    DefineMacro,
    EndOfHeader,
    EndOfMessage,
    EnvelopeFrom,
    EnvelopeRecipient,
    Header,
    Helo,
    Negotiate,
    Quit,
)
from milter_manager.protocol.replies import Accept, Continue, NegotiateReply

PROJECT = Path(__file__).resolve().parents[2]
SHARED = (PROJECT / ".." / "shared").resolve()
STOCKS = {"upstream": SHARED / "upstream" / "data", "own": Path(data_dir())}
FINAL = set(b"Ocartdsy")


# --- child milters --------------------------------------------------------------------

@dataclass
class ChildConnection:
    """What one child saw on one connection from the manager."""
    commands: list[bytes] = field(default_factory=list)
    macros: dict[bytes, bytes] = field(default_factory=dict)
    recipients: list[bytes] = field(default_factory=list)
    closed: bool = False

    @property
    def applied(self) -> bool:
        """The child took part in the message up to its end."""
        return b"E" in self.commands

    def macro(self, name: str) -> str | None:
        value = self.macros.get(name.encode())
        if value is None:
            value = self.macros.get(b"{" + name.encode() + b"}")
        return None if value is None else value.decode()


class RecordingMilter:
    """A child milter on 127.0.0.1 that continues everything, accepts at the
    end of the message and records each connection; REPLIES maps a command
    code to the reply packet it gets instead."""

    def __init__(self, name: str, replies: dict[bytes, Any] | None = None) -> None:
        self.name = name
        self.replies = dict(replies or {})
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.spec = f"inet:{self.sock.getsockname()[1]}@127.0.0.1"
        self.connections: list[ChildConnection] = []
        self.lock = threading.Lock()
        self.running = True
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        self.sock.settimeout(0.2)
        while self.running:
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            record = ChildConnection()
            with self.lock:
                self.connections.append(record)
            threading.Thread(target=self._serve, args=(conn, record), daemon=True).start()

    def _serve(self, conn: socket.socket, record: ChildConnection) -> None:
        reader = FrameReader(COMMANDS)
        conn.settimeout(60)
        try:
            while True:
                data = conn.recv(65536)
                if not data:
                    return
                for packet in reader.feed(data):
                    code = packet.wire_code
                    with self.lock:
                        if code == b"D":
                            record.macros.update(packet.macros)
                            continue
                        record.commands.append(code)
                        if code == b"R":
                            record.recipients.append(packet.address)
                    if code in self.replies:
                        conn.sendall(self.replies[code].encode())
                    elif code == b"O":
                        conn.sendall(NegotiateReply(6, packet.actions, 0, ()).encode())
                    elif code == b"E":
                        conn.sendall(Accept().encode())
                    elif code in (b"Q", b"K"):
                        return
                    elif code != b"A":
                        conn.sendall(Continue().encode())
        except (OSError, ProtocolError):
            return
        finally:
            with self.lock:
                record.closed = True
            conn.close()

    def count(self) -> int:
        with self.lock:
            return len(self.connections)

    def connection(self, index: int) -> ChildConnection:
        with self.lock:
            return self.connections[index]

    def close(self) -> None:
        self.running = False
        self.sock.close()


# --- the MTA side -------------------------------------------------------------------------

@dataclass
class Session:
    """One SMTP session as the MTA hands it to the manager."""
    id: str
    host: str = "mx.example.net"
    address: str = "inet:2525@[198.51.100.25]"      # protocol.md §3.3 text form
    connect_macros: dict[str, str] = field(default_factory=dict)
    auth: dict[str, str] = field(default_factory=dict)   # MAIL's auth macros
    sender: str = "<sender@example.net>"
    recipients: tuple[str, ...] = ("<rcpt@example.net>",)
    stress: bool = False            # other sessions in progress meanwhile
    # (server IP, client IP): a real TCP connection for the netstat lookup
    postfix_connection: tuple[str, str] | None = None
    messages: int = 1


class MTA:
    """One connection to the manager, driven command by command."""

    def __init__(self, port: int) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=30)
        self.reader = FrameReader(REPLIES)
        self.pending: list[Any] = []

    def command(self, *packets: Any, timeout: float = 30.0) -> Any:
        self.sock.sendall(b"".join(packet.encode() for packet in packets))
        limit = time.monotonic() + timeout
        while True:
            while self.pending:
                frame = self.pending.pop(0)
                if frame.wire_code[0] in FINAL:
                    return frame
            remaining = limit - time.monotonic()
            if remaining <= 0:
                raise TimeoutError("no reply from the manager")
            self.sock.settimeout(remaining)
            data = self.sock.recv(65536)
            if not data:
                raise EOFError("the manager closed the connection")
            self.pending.extend(self.reader.feed(data))

    def close(self) -> None:
        try:
            self.sock.sendall(Quit().encode())
        except OSError:
            pass
        self.sock.close()


def run_session(port: int, session: Session, connect: Connect) -> list[bytes]:
    """Drive SESSION through a complete message; the MTA's replies' codes."""
    mta = MTA(port)
    codes = []
    try:
        codes.append(mta.command(Negotiate(6, 0x1FF, 0)).wire_code)
        macros = {name.encode(): value.encode() for name, value in session.connect_macros.items()}
        codes.append(mta.command(DefineMacro(b"C", macros), connect).wire_code)
        codes.append(mta.command(Helo(b"client.example.net")).wire_code)
        for number in range(session.messages):
            mail_macros = {b"{mail_addr}": session.sender.strip("<>").encode()}
            mail_macros.update({name.encode(): value.encode()
                                for name, value in session.auth.items()})
            codes.append(mta.command(DefineMacro(b"M", mail_macros),
                                     EnvelopeFrom(session.sender.encode())).wire_code)
            recipients = session.recipients
            if isinstance(recipients[0], tuple):        # one list per message
                recipients = recipients[number]
            for recipient in recipients:
                codes.append(mta.command(EnvelopeRecipient(recipient.encode())).wire_code)
            codes.append(mta.command(Data()).wire_code)
            codes.append(mta.command(Header(b"Subject", b" test " + session.id.encode()))
                         .wire_code)
            codes.append(mta.command(EndOfHeader()).wire_code)
            codes.append(mta.command(Body(b"Hello\r\n")).wire_code)
            codes.append(mta.command(EndOfMessage()).wire_code)
    finally:
        mta.close()
    return codes


def connect_packet(session: Session, client: tuple[str, int] | None = None) -> Connect:
    if client is not None:
        family = "inet6" if ":" in client[0] else "inet"
        return Connect.from_text(session.host.encode(), f"{family}:{client[1]}@[{client[0]}]")
    return Connect.from_text(session.host.encode(), session.address)


# --- a DNS server on loopback port 53 --------------------------------------------------------

def dns_answer(query: bytes, records: Callable[[str, int], list[tuple[int, bytes]] | None]
               ) -> bytes | None:
    """A reply to QUERY: RECORDS(name, qtype) gives [(type, rdata)], [] for
    no data, None for NXDOMAIN; the string "drop" for no reply at all."""
    ident, _flags, count = struct.unpack("!HHH", query[:6])
    if count != 1:
        return None
    labels, offset = [], 12
    while query[offset]:
        length = query[offset]
        labels.append(query[offset + 1:offset + 1 + length].decode())
        offset += 1 + length
    qtype = struct.unpack("!H", query[offset + 1:offset + 3])[0]
    question = query[12:offset + 5]
    found = records(".".join(labels).lower(), qtype)
    if found == "drop":
        return None
    if found is None:
        return struct.pack("!HHHHHH", ident, 0x8183, 1, 0, 0, 0) + question
    answer = b"".join(b"\xc0\x0c" + struct.pack("!HHIH", rtype, 1, 60, len(rdata)) + rdata
                      for rtype, rdata in found)
    return struct.pack("!HHHHHH", ident, 0x8180, 1, len(found), 0, 0) + question + answer


def encode_name(name: str) -> bytes:
    return b"".join(bytes([len(part)]) + part.encode() for part in name.split(".")) + b"\0"


class DNSServer:
    """UDP DNS on ADDRESS:53, an address of 127.0.0.0/8 chosen free (port 53
    because `Resolv.getname` and `Resolv::DNS.new(nil)` read plain
    `nameserver` lines; a fresh loopback address so parallel test workers do
    not collide). A: `a_records[name]`, PTR: `ptr_records[address]`; a name
    in `silent` gets no reply."""

    def __init__(self) -> None:
        self.a_records: dict[str, str] = {}
        self.ptr_records: dict[str, str] = {}
        self.silent: set[str] = set()
        self.queries: list[str] = []
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        for third in range(53, 254):
            for fourth in range(2, 254):
                try:
                    self.sock.bind((f"127.53.{third}.{fourth}", 53))
                except OSError as error:
                    if error.errno == 13:         # EACCES: port 53 needs root
                        raise
                    continue
                self.address = f"127.53.{third}.{fourth}"
                break
            else:
                continue
            break
        self.running = True
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def records(self, name: str, qtype: int) -> Any:
        self.queries.append(name)
        if name in self.silent:
            return "drop"
        if qtype == 1 and name in self.a_records:
            return [(1, socket.inet_aton(self.a_records[name]))]
        if qtype == 12:
            for address, host in self.ptr_records.items():
                if ipaddress.ip_address(address).reverse_pointer == name:
                    return [(12, encode_name(host))]
        if name in self.a_records:
            return []
        return None

    def _serve(self) -> None:
        self.sock.settimeout(0.1)
        while self.running:
            try:
                data, peer = self.sock.recvfrom(512)
            except OSError:
                continue
            try:
                reply = dns_answer(data, self.records)
            except (IndexError, struct.error, UnicodeDecodeError):
                reply = None
            if reply is not None:
                self.sock.sendto(reply, peer)

    def close(self) -> None:
        self.running = False
        self.thread.join()
        self.sock.close()


# --- configuration and manager ---------------------------------------------------------------

class Logged(list):
    """A log sink keeping (level, message)."""

    def __call__(self, level: int, message: str) -> None:
        self.append((level, message))

    def messages(self) -> list[str]:
        return [message for _, message in list(self)]


def load_stock(stock: str, directory: Path, local: str, files: dict[str, str] | None = None
               ) -> tuple[Any, Logged]:
    """The stock milter-manager.conf of STOCK with LOCAL as
    milter-manager.local.conf (and FILES beside it), detector root empty."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "milter-manager.local.conf").write_text(textwrap.dedent(local))
    for name, text in (files or {}).items():
        (directory / name).write_text(textwrap.dedent(text))
    root = directory / "empty-root"
    root.mkdir(exist_ok=True)
    logged = Logged()
    options = LoadOptions(load_paths=[str(directory), str(STOCKS[stock])],
                          custom_directory=False, custom_xml=False, uid=0, env={},
                          detector_root=str(root), log=logged)
    return ConfigurationLoader(options).startup(), logged


class RunningManager:
    """A Manager on a loopback port, in a thread."""

    def __init__(self, configuration: Any) -> None:
        self.manager = Manager(configuration, "inet:0@[127.0.0.1]")
        self.manager.start_in_thread()
        self.port = self.manager.port

    def sessions(self) -> int:
        return self.manager.n_processing_sessions()

    def wait_sessions(self, count: int, timeout: float = 10.0) -> None:
        limit = time.monotonic() + timeout
        while self.sessions() != count:
            if time.monotonic() > limit:
                raise TimeoutError(f"{self.sessions()} sessions in progress, not {count}")
            time.sleep(0.005)

    def stop(self) -> None:
        self.manager.stop()


def wait_until(predicate: Callable[[], bool], timeout: float = 10.0) -> bool:
    limit = time.monotonic() + timeout
    while time.monotonic() < limit:
        if predicate():
            return True
        time.sleep(0.005)
    return predicate()
