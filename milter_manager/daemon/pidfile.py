"""The pid file (cli.md §5.3): written atomically after daemonizing and the
privilege drop, removed at exit. A symbolic link at the path is replaced,
never followed."""

from __future__ import annotations

import os
import tempfile

from .logger import ERROR, INFO, DaemonLogger


class PidFileError(Exception):
    """`failed to create PID file: <PATH>: STRERROR`."""


def write_pid_file(path: str, pid: int, log: DaemonLogger) -> None:
    directory = os.path.dirname(os.path.abspath(path))
    try:
        fd, temporary = tempfile.mkstemp(prefix=os.path.basename(path) + ".",
                                         dir=directory)
        try:
            os.write(fd, f"{pid}\n".encode())
            os.fchmod(fd, 0o644 & ~_umask())
        finally:
            os.close(fd)
        try:
            os.rename(temporary, path)
        except OSError:
            os.unlink(temporary)
            raise
    except OSError as error:
        log.log(ERROR, f"[client][pid-file][save][error] <{path}>: <{pid}>: {error.strerror}")
        raise PidFileError(f"failed to create PID file: <{path}>: {error.strerror}") from None
    log.log(INFO, f"[client][pid-file][save] <{path}>: <{pid}>")


def remove_pid_file(path: str, log: DaemonLogger) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
    except OSError as error:
        log.log(ERROR, "[client][pid-file][error][remove] failed to remove created PID file: "
                       f"{path}: {error.strerror}")


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask
