"""The TCP connection table behind `NetstatConnectionChecker`
(ruby-subset.md §9.4).

Read lazily from `/proc/net/tcp` and `/proc/net/tcp6` (the same table
`netstat -n` prints), never at construction [deviation: upstream runs netstat
while the configuration loads], and rebuilt when older than
`database_lifetime` seconds. No subprocess per session.
"""

from __future__ import annotations

import ipaddress
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from milter_manager.config.library.socket_address import IPv4, IPv6, SocketAddress

STATES = {
    "01": "ESTABLISHED", "02": "SYN_SENT", "03": "SYN_RECV", "04": "FIN_WAIT1",
    "05": "FIN_WAIT2", "06": "TIME_WAIT", "07": "CLOSE", "08": "CLOSE_WAIT",
    "09": "LAST_ACK", "0A": "LISTEN", "0B": "CLOSING",
}
SOURCES = (("tcp4", "/proc/net/tcp"), ("tcp6", "/proc/net/tcp6"))


@dataclass(frozen=True)
class Connection:
    protocol: str          # tcp4 / tcp6
    local_ip: str
    local_port: str
    foreign_ip: str
    foreign_port: str
    state: str | None


def _decode_address(text: str) -> tuple[str, str]:
    host, port = text.split(":")
    raw = bytes.fromhex(host)
    # The kernel prints each 32-bit word in host (little-endian) order.
    words = b"".join(raw[i:i + 4][::-1] for i in range(0, len(raw), 4))
    ip = ipaddress.ip_address(words)
    return str(ip), str(int(port, 16))


def kernel_address(ip: str, port: int) -> str:
    """`IP:PORT` as /proc/net/tcp* prints it (each 32-bit word of the address
    in host byte order, upper-case hex), so a lookup needs no parsing of the
    other lines."""
    packed = ipaddress.ip_address(ip).packed
    if sys.byteorder == "little":
        packed = b"".join(packed[i:i + 4][::-1] for i in range(0, len(packed), 4))
    return f"{packed.hex().upper()}:{port:04X}"


def find_entry(text: str, foreign: str) -> tuple[str, str, str] | None:
    """The last line of a /proc/net/tcp* TEXT whose foreign address is
    FOREIGN (`HEX:PORT`, as `kernel_address` gives it): (local, foreign,
    state code). The text is searched, never parsed: a busy host has tens of
    thousands of lines, the table is rebuilt on a miss, and a search runs in
    C while parsing every line would hold the interpreter for tens of ms."""
    needle = f" {foreign} "
    position = text.rfind(needle)
    while position >= 0:
        start = text.rfind("\n", 0, position) + 1
        end = text.find("\n", position)
        fields = text[start:end if end >= 0 else len(text)].split(None, 4)
        if len(fields) >= 4 and fields[2] == foreign:
            return fields[1], fields[2], fields[3]
        position = text.rfind(needle, 0, position)
    return None


def decode_entry(protocol: str, entry: tuple[str, str, str]) -> Connection | None:
    try:
        local_ip, local_port = _decode_address(entry[0])
        foreign_ip, foreign_port = _decode_address(entry[1])
    except ValueError:
        return None
    return Connection(protocol, local_ip, local_port, foreign_ip, foreign_port,
                      STATES.get(entry[2].upper()))


def parse_proc_net_tcp(text: str, protocol: str) -> list[Connection]:
    connections = []
    for line in text.splitlines()[1:]:
        fields = line.split()
        if len(fields) < 4:
            continue
        try:
            local_ip, local_port = _decode_address(fields[1])
            foreign_ip, foreign_port = _decode_address(fields[2])
        except ValueError:
            continue
        connections.append(Connection(protocol, local_ip, local_port, foreign_ip,
                                      foreign_port, STATES.get(fields[3].upper())))
    return connections


class ConnectionTable:
    """The kernel's TCP table, read lazily and kept `database_lifetime`
    seconds: the raw text per protocol, searched by foreign address."""

    def __init__(self, log: Callable[[int, str], None] | None = None,
                 sources=SOURCES, clock: Callable[[], float] = time.monotonic) -> None:
        self.database_lifetime = 5
        self._log = log
        self._sources = sources
        self._clock = clock
        self._table: dict[str, str] | None = None      # protocol → text
        self._built_at = 0.0
        self._available: bool | None = None
        self._lock = threading.Lock()

    def _read(self) -> dict[str, str] | None:
        table: dict[str, str] = {}
        readable = False
        for protocol, path in self._sources:
            try:
                with open(path, encoding="ascii", errors="replace") as stream:
                    text = stream.read()
            except OSError:
                continue
            readable = True
            table[protocol] = table.get(protocol, "") + text
        return table if readable else None

    def _rebuild(self) -> None:
        table = self._read()
        if table is None:
            if self._available is not False and self._log is not None:
                from milter_manager.config import log_level
                self._log(log_level.ERROR,
                          "[netstat][not-available] <netstat -n -W> <netstat -n>")
            self._available = False
            self._table = {}
        else:
            self._available = True
            self._table = table
        self._built_at = self._clock()

    def lookup(self, address: SocketAddress, retry: bool) -> Connection | None:
        """`connection_info(address, retry)` (§9.4)."""
        if not isinstance(address, (IPv4, IPv6)):
            return None
        if address.port == 0:
            if self._log is not None:
                from milter_manager.config import log_level
                self._log(log_level.WARNING,
                          "[netstat][warning] can't detect disconnected connection "
                          "because SMTP client port address is unknown: "
                          f"<{address}>")
            return None
        protocol = "tcp4" if isinstance(address, IPv4) else "tcp6"
        try:
            foreign = kernel_address(address.address, address.port)
        except ValueError:
            return None
        with self._lock:
            if (self._table is None
                    or self._clock() - self._built_at >= self.database_lifetime):
                self._rebuild()
            assert self._table is not None
            found = find_entry(self._table.get(protocol, ""), foreign)
            if found is None and retry and self._available:
                self._rebuild()
                found = find_entry(self._table.get(protocol, ""), foreign)
        return None if found is None else decode_entry(protocol, found)

    def connected(self, client: SocketAddress, server: SocketAddress) -> bool:
        """`connected?(context)`: only a local MTA connection can be checked."""
        if not server.is_local():
            return True
        entry = self.lookup(client, False)
        if entry is None:
            return True
        return entry.state not in (None, "CLOSE_WAIT")

    def server_interface(self, client: SocketAddress) -> Connection | None:
        entry = self.lookup(client, True)
        if entry is None or entry.state != "ESTABLISHED":
            return None
        return entry
