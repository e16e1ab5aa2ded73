"""Socket addresses as stoppers and checkers see them (ruby-subset.md §9.3).

Python values used by the manager (the client address of a session, the
MTA's connection) and wrapped as `Milter::SocketAddress::*` for Ruby.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

_LOCAL_V4 = [ipaddress.ip_network(n) for n in
             ("127.0.0.0/8", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16")]
_LINK_LOCAL_V6 = ipaddress.ip_network("fe80::/10")


@dataclass(frozen=True)
class IPv4:
    address: str
    port: int

    family = "ipv4"

    def __str__(self) -> str:
        return f"inet:{self.port}@[{self.address}]"

    def is_local(self) -> bool:
        ip = ipaddress.ip_address(self.address)
        return any(ip in network for network in _LOCAL_V4)

    def ip(self) -> ipaddress.IPv4Address:
        return ipaddress.IPv4Address(self.address)


@dataclass(frozen=True)
class IPv6:
    address: str
    port: int

    family = "ipv6"

    def __post_init__(self) -> None:
        # Always the compressed lower-case form (`::1`).
        object.__setattr__(self, "address", str(ipaddress.IPv6Address(self.address)))

    def __str__(self) -> str:
        return f"inet6:{self.port}@[{self.address}]"

    def is_local(self) -> bool:
        ip = ipaddress.IPv6Address(self.address)
        return ip == ipaddress.IPv6Address("::1") or ip in _LINK_LOCAL_V6

    def ip(self) -> ipaddress.IPv6Address:
        return ipaddress.IPv6Address(self.address)


@dataclass(frozen=True)
class Unix:
    path: str

    family = "unix"

    def __str__(self) -> str:
        return f"unix:{self.path}"

    def is_local(self) -> bool:
        return True

    def ip(self) -> None:
        return None


@dataclass(frozen=True)
class Unknown:
    family = "unknown"

    def __str__(self) -> str:
        return "unknown"

    def is_local(self) -> bool:
        return False

    def ip(self) -> None:
        return None


SocketAddress = IPv4 | IPv6 | Unix | Unknown


def from_connect(family: str, port: int, address: str) -> SocketAddress:
    """From the milter connect command's family (`4`, `6`, `L`, `U`; protocol.md)."""
    try:
        if family == "4":
            return IPv4(str(ipaddress.IPv4Address(address)), port)
        if family == "6":
            return IPv6(address, port)
    except ValueError:
        return Unknown()
    if family == "L":
        return Unix(address)
    return Unknown()
