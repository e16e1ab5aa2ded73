"""The application-specific readers of detectors.md §7: the clamav-milter and
OpenDKIM configuration files, milter-greylist's `greylist.conf`, and the
rspamd proxy's bind socket from `rspamadm configdump --json`.

Every path is read through a `DetectorRoot`.
"""

from __future__ import annotations

import json
import re
from typing import Any

from milter_manager.config.detectors.root import DetectorRoot

_WS = " \t\n\v\f\r"
# §7.1: a word at the start of the line, an optional value after white space.
_KEY_VALUE = re.compile(rf"\A[{_WS}]*([A-Za-z0-9_]+)(?:[{_WS}]+([^\n]+))?[{_WS}]*\Z")
RSPAMADM_TIMEOUT = 30.0        # [deviation] upstream waits for rspamadm forever


def read_key_values(root: DetectorRoot, path: str) -> dict[str, str | None] | None:
    """§7.1 / §7.2: `{key: value or None}` (later lines win); None when PATH
    is not readable."""
    text = root.read_text(path)
    if text is None:
        return None
    values: dict[str, str | None] = {}
    for line in text.split("\n"):
        match = _KEY_VALUE.match(line)
        if match is None:
            continue
        value = match.group(2)
        if value is not None:
            # [deviation] trailing blanks (and a DOS `\r`) are not part of the value.
            value = value.rstrip(_WS) or None
        values[match.group(1)] = value
    return values


class ClamAVMilterConfig:
    """`MilterSocket` and whether an `Example` line is present (§7.1)."""

    def __init__(self) -> None:
        self.milter_socket: str | None = None
        self.example = False

    def parse(self, root: DetectorRoot, path: str) -> ClamAVMilterConfig:
        values = read_key_values(root, path)
        if values is not None:
            self.milter_socket = values.get("MilterSocket")
            self.example = "Example" in values
        return self


class OpenDKIMConfig:
    """`Socket` of opendkim.conf (§7.2)."""

    def __init__(self) -> None:
        self.socket: str | None = None

    def parse(self, root: DetectorRoot, path: str) -> OpenDKIMConfig:
        values = read_key_values(root, path)
        if values is not None:
            self.socket = values.get("Socket")
        return self


# §7.3 rules, tried in order on each logical line.
_RACL = re.compile(rf"\A[{_WS}]*r?acl[{_WS}]+")
_DACL = re.compile(rf"\A[{_WS}]*d?acl[{_WS}]+")
_QUOTED = re.compile(rf'\A[{_WS}]*([A-Za-z0-9_]+)[{_WS}]+"(.+?)"[{_WS}]*\Z')
_QUOTED_NUMBER = re.compile(rf'\A[{_WS}]*([A-Za-z0-9_]+)[{_WS}]+"(.+?)"[{_WS}]*([0-9]+)\Z')
_BARE = re.compile(rf"\A[{_WS}]*([A-Za-z0-9_]+)[{_WS}]+")
_TARPIT = re.compile(r"\btarpit[ \t\n\v\f\r]+([0-9]+)([smhdw]?)\b", re.ASCII)
_COMMENT = re.compile(rf"\A[{_WS}]*#")
UNIT_SECONDS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def logical_lines(text: str) -> list[str]:
    """§7.3 step 1: comment lines dropped (they end a continuation); a line
    ending with `\\` is joined to the next one with one space.
    [deviation] upstream's test sees the newline, so it never joins."""
    lines: list[str] = []
    pending: str | None = None
    for raw in text.split("\n"):
        if _COMMENT.match(raw):
            if pending is not None:
                lines.append(pending)
                pending = None
            continue
        current = raw if pending is None else f"{pending} {raw}"
        if current.endswith("\\"):
            pending = current[:-1].rstrip(_WS)
        else:
            lines.append(current)
            pending = None
    if pending is not None:
        lines.append(pending)
    return lines


class MilterGreylistConfig:
    """`socket` and the longest `tarpit` of the recipient ACLs (§7.3)."""

    def __init__(self) -> None:
        self.variables: dict[str, Any] = {}
        self.max_tarpit_time: int | None = None

    @property
    def socket(self) -> str | None:
        value = self.variables.get("socket")
        if isinstance(value, tuple):
            return value[0]
        return value

    def parse(self, root: DetectorRoot, path: str) -> MilterGreylistConfig:
        text = root.read_text(path)
        if text is None:
            return self
        for line in logical_lines(text):
            self._line(line)
        return self

    def _line(self, line: str) -> None:
        acl = _RACL.match(line)
        if acl:
            for number, unit in _TARPIT.findall(line[acl.end():]):
                seconds = int(number) * UNIT_SECONDS[unit]
                if self.max_tarpit_time is None or seconds > self.max_tarpit_time:
                    self.max_tarpit_time = seconds
            return
        if _DACL.match(line):
            return
        match = _QUOTED.match(line)
        if match:
            self.variables[match.group(1)] = match.group(2)
            return
        match = _QUOTED_NUMBER.match(line)
        if match:
            self.variables[match.group(1)] = (match.group(2), int(match.group(3)))
            return
        match = _BARE.match(line)
        if match:
            self.variables[match.group(1)] = line[match.end():]


# --- rspamd (§7.4) ---------------------------------------------------------------

def rspamd_bind_spec(bind: str) -> str | None:
    """The connection spec of an rspamd `bind_socket` value."""
    if bind.startswith("/"):
        return "unix:" + re.split("[ ,]", bind, maxsplit=1)[0]
    if bind.startswith("["):
        # [deviation] upstream splits `[ADDR]:P` at the first colon.
        match = re.match(r"\[([^\]]*)\]:(.*)\Z", bind, re.DOTALL)
        return f"inet6:{match.group(2)}@[{match.group(1)}]" if match else None
    if ":" not in bind:
        return None          # no port: not a socket rspamd's milter listens on
    host, port = bind.split(":", 1)
    if host in ("*", "*v4"):
        # [deviation] `*v4` gives upstream an invalid `inet:P@*v4`.
        return f"inet:{port}@localhost"
    if host == "*v6":
        return f"inet6:{port}@[::1]"       # [deviation] as `*v4`
    return f"inet:{port}@{host}"


def rspamd_proxy_spec(dump: Any) -> str | None:
    """§7.4 steps 3–5 on the parsed `configdump --json` output."""
    if not isinstance(dump, dict):
        return None
    workers = dump.get("worker")
    if isinstance(workers, dict):
        workers = [workers]            # [deviation] one worker: an object
    if not isinstance(workers, list):
        return None
    for worker in workers:
        if not isinstance(worker, dict) or "rspamd_proxy" not in worker:
            continue
        proxy = worker["rspamd_proxy"]
        if not isinstance(proxy, dict) or proxy.get("milter") in (None, False):
            continue
        bind = proxy.get("bind_socket")
        if isinstance(bind, list):
            bind = bind[0] if bind else None       # [deviation] several sockets
        return rspamd_bind_spec(bind) if isinstance(bind, str) else None
    # [deviation] upstream raises NoMethodError without a milter proxy.
    return None


class RspamdProxyDetector:
    """Runs `rspamadm configdump --json` (rooted) and finds the milter proxy.

    With PATH None, the command is `rspamadm` as found in $PATH, each
    directory taken under the root (on Debian: /usr/bin/rspamadm, what
    detectors.md §7.4 names), so that hiding rspamadm from PATH hides it
    from the detector, as the spec README's decision on the `-norspamadm`
    golden on a real host requires. An explicit PATH is used as given.
    """

    def __init__(self, root: DetectorRoot, path: str | None = None,
                 timeout: float = RSPAMADM_TIMEOUT) -> None:
        self.root = root
        self.path = path
        self.timeout = timeout

    def command(self) -> str | None:
        if self.path is None:
            return self.root.which("rspamadm")
        return self.path if self.root.executable(self.path) else None

    def detect(self) -> str | None:
        command = self.command()
        if command is None:
            return None
        output = self.root.run(command, ["configdump", "--json"], self.timeout)
        if output is None:
            return None
        try:
            dump = json.loads(output)
        except ValueError:
            return None          # [deviation] upstream raises on invalid JSON
        return rspamd_proxy_spec(dump)
