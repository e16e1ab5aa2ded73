"""The privilege drop (cli.md §7): group first, then the socket owner, then
the user. Only when the effective uid is 0."""

from __future__ import annotations

import grp
import os
import pwd

from .logger import ERROR, INFO, DaemonLogger


class PrivilegeError(Exception):
    """Printed as `failed to drop privilege: MESSAGE`, exit status 1."""


def _password_entry(user: str) -> pwd.struct_passwd:
    try:
        return pwd.getpwnam(user)
    except KeyError:
        raise PrivilegeError(f"failed to find password entry for effective user: {user}") \
            from None
    except OSError as error:
        raise PrivilegeError("failed to get password entry for effective user: "
                             f"{user}: {error.strerror}") from None


def drop_privileges(user: str | None, group: str | None, socket_path: str | None,
                    log: DaemonLogger) -> bool:
    """Returns False when nothing had to be done (not running as root)."""
    if os.geteuid() != 0:
        return False
    user = user or "nobody"        # upstream: a root-started manager runs as nobody
    if group is not None:
        try:
            gid = grp.getgrnam(group).gr_gid
        except KeyError:
            raise PrivilegeError(
                f"failed to find group entry for effective group: {group}") from None
        except OSError as error:
            raise PrivilegeError("failed to get group entry for effective group: "
                                 f"{group}: {error.strerror}") from None
        group_name = group
    else:
        # [deviation] upstream keeps gid 0 and root's groups without a group.
        gid = _password_entry(user).pw_gid
        try:
            group_name = grp.getgrgid(gid).gr_name
        except KeyError:
            group_name = str(gid)
    try:
        os.setgid(gid)
    except OSError as error:
        raise PrivilegeError(f"failed to change effective group: {group_name}: "
                             f"{error.strerror}") from None
    entry = _password_entry(user)
    try:
        os.initgroups(user, gid)
    except OSError as error:
        raise PrivilegeError(f"failed to initialize groups: {user}: {group_name}: "
                             f"{error.strerror}") from None
    log.log(INFO, f"[client][group][switch] <{group_name}>(<{gid}>)")
    if socket_path is not None:
        try:
            os.chown(socket_path, entry.pw_uid, -1)
        except OSError as error:
            log.log(ERROR, "[client][error][unix] failed to change UNIX socket owner: "
                           f"<{socket_path}>: <{user}>: {error.strerror}")
    try:
        os.setuid(entry.pw_uid)
    except OSError as error:
        raise PrivilegeError(f"failed to change effective user: {user}: "
                             f"{error.strerror}") from None
    log.log(INFO, f"[client][user][switch] <{user}>(<{entry.pw_uid}>)")
    return True
