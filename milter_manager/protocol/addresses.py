"""Connect addresses: wire checks and the text forms (protocol.md §3, §3.3)."""

from __future__ import annotations

import ipaddress

from .errors import ProtocolError, show

FAMILY_INET = b"4"
FAMILY_INET6 = b"6"
FAMILY_UNIX = b"L"
FAMILY_UNKNOWN = b"U"
FAMILIES = (FAMILY_INET, FAMILY_INET6, FAMILY_UNIX, FAMILY_UNKNOWN)
IPV6_PREFIX = b"IPv6:"


def _ipv4(address: bytes) -> ipaddress.IPv4Address | None:
    try:
        return ipaddress.IPv4Address(address.decode("ascii"))
    except ValueError:  # UnicodeDecodeError and AddressValueError are ValueErrors
        return None


def _ipv6(address: bytes) -> ipaddress.IPv6Address | None:
    address = address.removeprefix(IPV6_PREFIX)
    try:
        return ipaddress.IPv6Address(address.decode("ascii"))
    except ValueError:
        return None


def rfc5952(address: ipaddress.IPv6Address) -> str:
    """RFC 5952 text; §5 of the RFC writes IPv4-mapped addresses with a dotted tail."""
    mapped = address.ipv4_mapped
    if mapped is not None and address.scope_id is None:
        return f"::ffff:{mapped}"
    return address.compressed


def check_address(family: bytes, address: bytes) -> None:
    """Decoder checks of §3 for the address of a `C` command (family 4, 6 or L)."""
    if not address:
        raise ProtocolError("connect: address is empty")
    if family == FAMILY_INET and _ipv4(address) is None:
        raise ProtocolError(f"connect: invalid IPv4 address: <{show(address)}>")
    if family == FAMILY_INET6 and _ipv6(address) is None:
        raise ProtocolError(f"connect: invalid IPv6 address: <{show(address)}>")
    # [deviation] P13: a Unix socket path may have any length (upstream copies
    # it into a fixed 108-byte buffer).


def format_address(family: bytes, port: int, address: bytes) -> str:
    """`inet:PORT@[IPV4]`, `inet6:PORT@[IPV6]`, `unix:PATH` or `unknown` (§3.3)."""
    if family == FAMILY_INET:
        return f"inet:{port}@[{show(address)}]"
    if family == FAMILY_INET6:
        parsed = _ipv6(address)
        text = rfc5952(parsed) if parsed is not None else show(address)
        return f"inet6:{port}@[{text}]"
    if family == FAMILY_UNIX:
        # surrogateescape: a path is bytes; parse_address gives back the same bytes.
        return "unix:" + address.decode("utf-8", "surrogateescape")
    return "unknown"


def wire_address(family: bytes, address: bytes) -> bytes:
    """The address as the MTA role writes it (§3.3): IPv6 gains `IPv6:` + RFC 5952 text."""
    if family == FAMILY_INET6:
        parsed = _ipv6(address)
        if parsed is not None:
            return IPV6_PREFIX + rfc5952(parsed).encode("ascii")
    return address


def _port(text: str, spec: str) -> int:
    if not text.isdigit() or not text.isascii() or int(text) > 65535:
        raise ProtocolError(f"invalid port in address: <{spec}>")
    return int(text)


def parse_address(spec: str) -> tuple[bytes, int, bytes]:
    """Parse a text form (§3.3) into (family, port, wire address).

    Accepts `inet:PORT@[IPV4]`, `inet:PORT@IPV4`, `inet6:PORT@[IPV6]`,
    `inet6:PORT@IPV6`, `unix:PATH` and `unknown` (the forms of the scenario
    files, scenarios.md §4.3).
    """
    if spec == "unknown":
        return FAMILY_UNKNOWN, 0, b""
    scheme, sep, rest = spec.partition(":")
    if not sep:
        raise ProtocolError(f"invalid address: <{spec}>")
    if scheme == "unix":
        if not rest:
            raise ProtocolError(f"invalid address: <{spec}>")
        path = rest.encode("utf-8", "surrogateescape")
        if b"\0" in path:
            raise ProtocolError(f"invalid address: <{spec}>")
        return FAMILY_UNIX, 0, path
    if scheme not in ("inet", "inet6"):
        raise ProtocolError(f"invalid address: <{spec}>")
    port_text, at, host = rest.partition("@")
    if not at:
        raise ProtocolError(f"invalid address: <{spec}>")
    port = _port(port_text, spec)
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    raw = host.encode("utf-8", "surrogateescape")
    if scheme == "inet":
        if _ipv4(raw) is None:
            raise ProtocolError(f"invalid IPv4 address: <{spec}>")
        return FAMILY_INET, port, raw
    parsed = _ipv6(raw)
    if parsed is None:
        raise ProtocolError(f"invalid IPv6 address: <{spec}>")
    return FAMILY_INET6, port, IPV6_PREFIX + rfc5952(parsed).encode("ascii")
