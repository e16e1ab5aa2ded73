"""Listening sockets of the daemon (cli.md §6, §12.1).

Binding itself is the manager core's `listen_socket` (which creates a unix
socket under a umask derived from the configured mode); here come the steps
around it that the daemon owns: the group and mode changes of §6 step 4
(logged, never fatal), the owner change at the privilege drop (§7) and the
removal at exit (§4 step 15).
"""

from __future__ import annotations

import grp
import os
import socket
from dataclasses import dataclass

from milter_manager.manager.listener import ListenError, SocketSpec, listen_socket

from .logger import ERROR, INFO, DaemonLogger

__all__ = ["ListenError", "Listening", "open_listening"]


@dataclass
class Listening:
    """A bound, listening socket and what clean-up needs to know."""

    sock: socket.socket
    bound: SocketSpec
    remove_on_close: bool
    tag: str                      # `client` (manager) or `controller`

    @property
    def path(self) -> str | None:
        return self.bound.path

    def remove_file(self, log: DaemonLogger) -> None:
        """§4 step 15: unlink the unix socket file if configured to."""
        path = self.path
        if path is None or not self.remove_on_close:
            return
        try:
            os.unlink(path)
        except FileNotFoundError:
            pass
        except OSError as error:
            where = "[client][unix][error]" if self.tag == "client" \
                else "[controller][error][unix]"
            log.log(ERROR, f"{where} failed to remove used UNIX socket: {path}: "
                           f"{error.strerror}")


def open_listening(spec: str, *, mode: int, group: str | None, remove_on_create: bool,
                   remove_on_close: bool, tag: str, log: DaemonLogger) -> Listening:
    """Bind and listen (raises ListenError with §6 step 2's text), log the
    start, then apply the unix socket's group and mode (§6 step 4)."""
    sock, bound = listen_socket(spec, remove_unix_socket_on_create=remove_on_create,
                                unix_socket_mode=mode)
    listening = Listening(sock, bound, remove_on_close, tag)
    if tag == "client":
        log.log(INFO, f"[client][listen][start] <{format_bound(sock, bound)}>")
    if bound.path is not None:
        _change_group_and_mode(bound.path, mode, group, tag, log)
    return listening


def format_bound(sock: socket.socket, bound: SocketSpec) -> str:
    """§6 step 3: `unix:PATH`, `inet:PORT@[IPV4]`, `inet6:PORT@[IPV6]`."""
    if bound.family == socket.AF_UNIX:
        return f"unix:{bound.address}"
    host, port = sock.getsockname()[:2]
    return f"{'inet' if bound.family == socket.AF_INET else 'inet6'}:{port}@[{host}]"


def c_octal(mode: int) -> str:
    """C `printf("%#o")`: `0660`, and `0` for zero."""
    return f"0{mode:o}" if mode else "0"


def _change_group_and_mode(path: str, mode: int, group: str | None, tag: str,
                           log: DaemonLogger) -> None:
    error_tag = "[client][error][unix]" if tag == "client" else "[controller][error][unix]"
    if group is not None:
        try:
            gid = grp.getgrnam(group).gr_gid
        except KeyError:
            log.log(ERROR, f"{error_tag} failed to find group entry for UNIX socket group: "
                           f"<{path}>: <{group}>")
            gid = None
        except OSError as error:
            log.log(ERROR, f"{error_tag} failed to get group entry for UNIX socket group: "
                           f"<{path}>: <{group}>: {error.strerror}")
            gid = None
        if gid is not None:
            try:
                os.chown(path, -1, gid)
            except OSError as error:
                log.log(ERROR, f"{error_tag} failed to change UNIX socket group: "
                               f"<{path}>: <{group}>: {error.strerror}")
            else:
                log.log(INFO, f"[{tag}][socket][unix][group][change] <{group}>(<{gid}>): <{path}>")
    try:
        os.chmod(path, mode)
    except OSError as error:
        log.log(ERROR, f"{error_tag} failed to change the mode of UNIX socket: "
                       f"{path}({mode:o}): {error.strerror}")
    else:
        log.log(INFO, f"[{tag}][socket][unix][mode][change] <{c_octal(mode)}>: <{path}>")
