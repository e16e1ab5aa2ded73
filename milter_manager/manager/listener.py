"""Connection specs turned into sockets: listening and resolving.

The spec grammar and its load-time checks belong to the configuration
(`config.md` §8.5); here a (valid) spec string becomes an address family and
a socket address, and the manager's listening socket is created as
`cli.md` §6 says. The daemon adds the unix socket's group and mode changes
after binding (`Listener.path` and the `unix_socket_mode` used at bind time
are the hooks).
"""

from __future__ import annotations

import errno
import ipaddress
import os
import socket
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .loop import EVENT_READ, EventLoop


class SpecError(OSError):
    """A spec that cannot be turned into a socket address."""


@dataclass(frozen=True)
class SocketSpec:
    spec: str
    family: int
    address: Any   # path for AF_UNIX, (host, port) / (host, port, 0, 0) for inet

    @property
    def path(self) -> str | None:
        return self.address if self.family == socket.AF_UNIX else None


def _split(spec: str) -> tuple[str, str]:
    if ":" not in spec:
        raise SpecError(errno.EINVAL, f"spec doesn't have colon: <{spec}>")
    proto, rest = spec.split(":", 1)
    if not rest:
        raise SpecError(errno.EINVAL, f"spec doesn't have content: <{spec}>")
    return proto, rest


def resolve_spec(spec: str) -> SocketSpec:
    """`unix:`/`local:`/`inet:PORT[@HOST]`/`inet6:PORT[@HOST]` → socket address.

    Host names are resolved for the spec's own family only (`inet` is IPv4,
    so `localhost` is 127.0.0.1). A missing host is the wildcard address.
    """
    proto, rest = _split(spec)
    if proto in ("unix", "local"):
        return SocketSpec(spec, socket.AF_UNIX, rest)
    if proto not in ("inet", "inet6"):
        raise SpecError(errno.EINVAL,
                        f"protocol must be 'unix', 'inet' or 'inet6': <{spec}>: <{proto}>")
    family = socket.AF_INET if proto == "inet" else socket.AF_INET6
    port_text, _, host = rest.partition("@")
    for ch in port_text:
        if not ch.isdigit():
            raise SpecError(errno.EINVAL, f"port number has invalid character: <{spec}>: <{ch}>")
    port = int(port_text) if port_text else 0
    if port > 65535:
        raise SpecError(errno.EINVAL, f"port number should be less than 65536: <{spec}>: <{port}>")
    if not host:
        addr = "0.0.0.0" if family == socket.AF_INET else "::"
    elif host.startswith("["):
        if not host.endswith("]"):
            raise SpecError(errno.EINVAL, f"']' is missing: <{spec}>: <{host}>")
        addr = host[1:-1]
        try:
            parsed = ipaddress.ip_address(addr)
        except ValueError:
            raise SpecError(errno.EINVAL, f"invalid host address: <{spec}>: <{addr}>") from None
        if (parsed.version == 4) != (family == socket.AF_INET):
            raise SpecError(errno.EINVAL, f"invalid host address: <{spec}>: <{addr}>")
    else:
        try:
            infos = socket.getaddrinfo(host, port, family, socket.SOCK_STREAM)
        except socket.gaierror as error:
            raise SpecError(errno.EINVAL,
                            f"invalid host address: <{spec}>: <{host}>: {error.strerror}") from None
        addr = infos[0][4][0]
    address: Any = (addr, port) if family == socket.AF_INET else (addr, port, 0, 0)
    return SocketSpec(spec, family, address)


def format_address(family: int, address: Any) -> str:
    """Render a bound address as cli.md §6 step 3 does."""
    if family == socket.AF_UNIX:
        return f"unix:{address}"
    if family == socket.AF_INET:
        return f"inet:{address[1]}@[{address[0]}]"
    return f"inet6:{address[1]}@[{address[0]}]"


class ListenError(OSError):
    """`failed to bind(): SPEC: STRERROR` and friends (cli.md §6)."""


def listen_socket(spec: str, *, remove_unix_socket_on_create: bool = True,
                  unix_socket_mode: int | None = None,
                  backlog: int = socket.SOMAXCONN) -> tuple[socket.socket, SocketSpec]:
    """Create, bind and listen; errors carry cli.md §6's texts."""
    resolved = resolve_spec(spec)
    family = resolved.family
    if family == socket.AF_UNIX and remove_unix_socket_on_create:
        path = resolved.address
        if os.path.lexists(path):
            try:
                os.unlink(path)
            except OSError as error:
                raise ListenError(error.errno,
                                  f"can't remove existing socket: <{path}>: <{spec}>: "
                                  f"{error.strerror}") from None
    try:
        sock = socket.socket(family, socket.SOCK_STREAM)
    except OSError as error:
        raise ListenError(error.errno, f"failed to socket(): {spec}: {error.strerror}") from None
    try:
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        except OSError as error:
            raise ListenError(error.errno,
                              f"failed to setsockopt(SO_REUSEADDR): {spec}: {error.strerror}") from None
        old_umask = None
        if family == socket.AF_UNIX and unix_socket_mode is not None:
            # cli.md §6 [deviation]: bind under a umask so the socket file is
            # never more permissive than the configured mode, even briefly.
            old_umask = os.umask(0o777 & ~unix_socket_mode)
        try:
            sock.bind(resolved.address)
        except OSError as error:
            raise ListenError(error.errno, f"failed to bind(): {spec}: {error.strerror}") from None
        finally:
            if old_umask is not None:
                os.umask(old_umask)
        try:
            sock.listen(backlog)
        except OSError as error:
            raise ListenError(error.errno, f"failed to listen(): {spec}: {error.strerror}") from None
    except BaseException:
        sock.close()
        raise
    sock.setblocking(False)
    if family == socket.AF_UNIX:
        bound = SocketSpec(spec, family, resolved.address)
    else:
        bound = SocketSpec(spec, family, sock.getsockname())
    return sock, bound


class Listener:
    """Accepts connections on one listening socket; can pause accepting."""

    ACCEPTS_PER_TURN = 64

    def __init__(self, loop: EventLoop, sock: socket.socket, bound: SocketSpec,
                 on_accept: Callable[[socket.socket, Any], Any],
                 on_accept_error: Callable[[OSError], Any] | None = None) -> None:
        self.loop = loop
        self.sock = sock
        self.bound = bound
        self.on_accept = on_accept
        self.on_accept_error = on_accept_error
        self.accepting = False
        self.closed = False
        #: called before each accept(); False leaves the connection in the
        #: backlog (the manager pauses accepting, manager.md §15)
        self.gate: Callable[[], bool] | None = None

    @property
    def spec(self) -> str:
        """The bound address in spec form (`inet:PORT@[ADDR]`, `unix:PATH`)."""
        address = self.bound.address if self.bound.family == socket.AF_UNIX \
            else self.sock.getsockname()
        return format_address(self.bound.family, address)

    @property
    def path(self) -> str | None:
        return self.bound.path

    @property
    def port(self) -> int | None:
        if self.bound.family == socket.AF_UNIX:
            return None
        return self.sock.getsockname()[1]

    def start(self) -> None:
        if not self.accepting and not self.closed:
            self.accepting = True
            self.loop.watch(self.sock, EVENT_READ, self)

    def pause(self) -> None:
        if self.accepting:
            self.accepting = False
            self.loop.unwatch(self.sock)

    def handle_read(self) -> None:
        for _ in range(self.ACCEPTS_PER_TURN):
            if not self.accepting:
                return
            if self.gate is not None and not self.gate():
                return
            try:
                conn, address = self.sock.accept()
            except (BlockingIOError, InterruptedError):
                return
            except OSError as error:
                if error.errno in (errno.ECONNABORTED, errno.EPROTO):
                    continue
                if self.on_accept_error is not None:
                    self.on_accept_error(error)
                return
            conn.setblocking(False)
            self.on_accept(conn, address)

    def handle_write(self) -> None:  # pragma: no cover - never registered for write
        pass

    def close(self, remove_unix_socket: bool = False) -> None:
        if self.closed:
            return
        self.pause()
        self.closed = True
        self.sock.close()
        if remove_unix_socket and self.bound.family == socket.AF_UNIX:
            try:
                os.unlink(self.bound.address)
            except OSError:
                pass
