"""Port remapping for parallel runs (scenarios.md §9).

The corpus names the ports 10026 and 10027, and clients and milters are linked
only by port (§2), so a scenario run in parallel with others gets its own free
loopback ports in their place. Ports are drawn below the kernel's ephemeral
range: an outgoing connection (the manager connecting to a child, the fake MTA
connecting to the manager) can then never take a port that a client of another
scenario is about to listen on. A client that still finds its port taken makes
the runner retry the scenario on new ports (`PortInUse`).
"""

from __future__ import annotations

import random
import socket
import time
from collections.abc import Callable

#: Where remapped ports are drawn from when the ephemeral range cannot be read.
_LOW, _HIGH = 11000, 32768


class PortInUse(Exception):
    """A remapped port was taken between its choice and its use; retry with new ones."""


def _ephemeral_low() -> int:
    try:
        with open("/proc/sys/net/ipv4/ip_local_port_range") as file:
            return int(file.read().split()[0])
    except (OSError, ValueError, IndexError):
        return _HIGH


def _bindable(port: int) -> bool:
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


class PortMap:
    """Maps each port a scenario names to a port of this run, allocated on first use.

    `PortMap(identity=True)` keeps every port (serial runs on the corpus's own ports).
    """

    def __init__(self, *, identity: bool = False, rng: random.Random | None = None) -> None:
        self.identity = identity
        self.mapping: dict[int, int] = {}
        self.rng = rng or random.Random()
        self.high = min(_ephemeral_low(), _HIGH)

    def __call__(self, port: int) -> int:
        if self.identity:
            return port
        mapped = self.mapping.get(port)
        if mapped is None:
            mapped = self._allocate()
            self.mapping[port] = mapped
        return mapped

    def fresh(self) -> int:
        """A free port that no scenario port maps to (the daemon's own listener)."""
        port = self._allocate()
        self.mapping[-port] = port  # reserved, so no later mapping takes it
        return port

    def _allocate(self) -> int:
        taken = set(self.mapping.values())
        for _ in range(1000):
            port = self.rng.randrange(_LOW, self.high)
            if port not in taken and _bindable(port):
                return port
        raise PortInUse("no free loopback port found")


def wait_for_port(host: str, port: int, timeout: float,
                  exited: Callable[[], object] | None = None) -> bool:
    """Poll until `host:port` accepts a connection (or the process `exited()`)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if exited is not None and exited() is not None:
            return False
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return True
        except OSError:
            time.sleep(0.05)
    return False
