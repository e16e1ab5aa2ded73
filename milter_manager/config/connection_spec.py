"""Connection specs: `unix:PATH`, `inet:PORT@HOST`, `inet6:PORT@[ADDR]`
(config.md §8.5).

`parse_connection_spec` checks a spec in upstream's order and returns a
`ConnectionSpec`, which the manager reuses for its listeners and the child
connections. Host names are resolved at parse time, as upstream does; the
resolved address is kept so that the runtime need not resolve again.
"""

from __future__ import annotations

import socket
from collections.abc import Callable
from dataclasses import dataclass

UNIX_PATH_MAX = 107          # sizeof(sun_path) - 1 on Linux
PORT_MAX = 65535


class ConnectionSpecError(ValueError):
    """An invalid spec; `detail` is upstream's text (§8.5)."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


@dataclass(frozen=True)
class ConnectionSpec:
    """A parsed connection spec.

    family: "unix", "inet" or "inet6"; `text` is the spec as written.
    unix: `path` set (`local:` is a synonym of `unix:`).
    inet/inet6: `port` set; `host` is the host part as written (without
    brackets; None when the spec has no `@HOST`, meaning "any address");
    `address` is the numeric address it resolved to (None when no host).
    """
    family: str
    text: str
    path: str | None = None
    host: str | None = None
    port: int | None = None
    address: str | None = None

    @property
    def socket_family(self) -> int:
        return {"unix": socket.AF_UNIX, "inet": socket.AF_INET,
                "inet6": socket.AF_INET6}[self.family]

    def socket_address(self):
        """The address tuple/path for `socket.bind`/`connect`."""
        if self.family == "unix":
            return self.path
        if self.family == "inet":
            return (self.address or "0.0.0.0", self.port)
        return (self.address or "::", self.port, 0, 0)


# Resolution hook: tests replace it to stay off the network.
Resolver = Callable[[str, int], str]


def _getaddrinfo(name: str, family: int) -> str:
    infos = socket.getaddrinfo(name, None, family, socket.SOCK_STREAM)
    return infos[0][4][0]


resolve_host: Resolver = _getaddrinfo


def _numeric(family: int, text: str) -> bool:
    try:
        socket.inet_pton(family, text)
    except (OSError, ValueError):
        return False
    return True


def parse_connection_spec(spec: str, resolve: bool = True) -> ConnectionSpec:
    """Parse and check SPEC; raises ConnectionSpecError with upstream's detail."""
    colon = spec.find(":")
    if colon < 0:
        raise ConnectionSpecError(f"spec doesn't have colon: <{spec}>")
    protocol, content = spec[:colon], spec[colon + 1:]
    if content == "":
        raise ConnectionSpecError(f"spec doesn't have content: <{spec}>")
    if protocol in ("unix", "local"):
        # [deviation] upstream copies the path into sun_path unchecked.
        if len(content.encode("utf-8", "surrogateescape")) > UNIX_PATH_MAX:
            raise ConnectionSpecError(f"unix socket path is too long: <{spec}>")
        return ConnectionSpec(family="unix", text=spec, path=content)
    if protocol not in ("inet", "inet6"):
        raise ConnectionSpecError(
            f"protocol must be 'unix', 'inet' or 'inet6': <{spec}>: <{protocol}>")
    family = socket.AF_INET if protocol == "inet" else socket.AF_INET6
    port_text, at, host = content.partition("@")
    for char in port_text:
        if char not in "0123456789":
            raise ConnectionSpecError(
                f"port number has invalid character: <{spec}>: <{char}>")
    address: str | None = None
    name: str | None = None
    if at:
        if host.startswith("["):
            if not host.endswith("]") or len(host) < 2:
                raise ConnectionSpecError(f"']' is missing: <{spec}>: <{host}>")
            name = host[1:-1]
            if not _numeric(family, name):
                raise ConnectionSpecError(f"invalid host address: <{spec}>: <{name}>")
            address = name
        else:
            name = host
            if resolve:
                try:
                    address = resolve_host(name, family)
                except socket.gaierror as error:
                    raise ConnectionSpecError(
                        f"invalid host address: <{spec}>: <{name}>: <{error.strerror}>"
                    ) from None
                except (UnicodeError, ValueError) as error:
                    raise ConnectionSpecError(
                        f"invalid host address: <{spec}>: <{name}>: <{error}>") from None
            elif _numeric(family, name):
                address = name
    port = int(port_text) if port_text else 0
    if port > PORT_MAX:
        raise ConnectionSpecError(
            f"port number should be less than 65536: <{spec}>: <{port}>")
    return ConnectionSpec(family=protocol, text=spec, host=name, port=port, address=address)
