"""Sendmail 8.17, unpacked from Debian's .debs, in its own mount/uts namespace
(real-components.md §8).

Sendmail conflicts with Postfix (both provide mail-transport-agent), so it is
never installed: `apt-get download` fetches its packages once, `dpkg -x`
unpacks them into a cache directory that later runs reuse. Each instance runs
queue-only in a namespace where /etc/hosts resolves its FQDN and
/etc/resolv.conf points at 127.0.0.1 (§0), so it neither waits 60 s for an
unqualified host name nor asks the machine's resolver. Tests read the result
from the queue files.
"""

from __future__ import annotations

import fcntl
import re
import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from .ports import free_port
from .process import ManagedProcess
from .smtp import Outcome, send_mail
from .waiting import wait_tcp

PACKAGES = ("sendmail-bin", "sendmail-base", "sendmail-cf", "libmilter1.0.1")
# Installed, not unpacked: the binary links libwrap, the .mc needs m4 (§1).
NEEDS = ("m4", "libwrap0")
HOSTNAME = "mx.sm.test"
START_TIMEOUT = 30.0  # §2: ≈ 0.8 s with the FQDN fix
ACCEPTED_RE = re.compile(r"^2\.0\.0 (\S+) Message accepted for delivery")


@dataclass(frozen=True)
class SendmailTree:
    root: Path  # the unpacked packages (usr/, etc/, …)

    @property
    def binary(self) -> Path:
        return self.root / "usr/libexec/sendmail/sendmail"

    @property
    def cf_m4(self) -> Path:
        return self.root / "usr/share/sendmail/cf/m4/cf.m4"


def _run(argv: Sequence[str | Path], cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(a) for a in argv], cwd=cwd, check=False, capture_output=True,
                          text=True, timeout=300)


def _installed(package: str) -> bool:
    result = _run(["dpkg-query", "-W", "-f=${Status}", package])
    return result.returncode == 0 and "install ok installed" in result.stdout


def ensure_sendmail_tree(cache: Path) -> SendmailTree:
    """The unpacked Sendmail packages under `cache`, downloading them the
    first time. Safe against concurrent test runs (a lock file)."""
    missing = [pkg for pkg in NEEDS if not _installed(pkg)]
    if missing:
        raise AssertionError(
            f"Sendmail needs the Debian packages {missing}: run ./scripts/install-system-packages"
            " --for-tests (scripts/test does)")
    cache.mkdir(parents=True, exist_ok=True)
    tree = SendmailTree(cache / "root")
    with open(cache / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if tree.binary.exists() and tree.cf_m4.exists():
            return tree
        debs = cache / "debs"
        shutil.rmtree(debs, ignore_errors=True)
        debs.mkdir()
        # As root, apt's download sandbox user cannot write here; say so
        # instead of getting a warning.
        download = ["apt-get", "-o", "APT::Sandbox::User=root", "download", *PACKAGES]
        result = _run(download, cwd=debs)
        if result.returncode != 0:  # stale or missing package lists
            _run(["apt-get", "update", "-qq"])
            result = _run(download, cwd=debs)
        if result.returncode != 0:
            raise AssertionError(f"apt-get download {PACKAGES} failed:\n{result.stderr}")
        staging = cache / "root.tmp"
        shutil.rmtree(staging, ignore_errors=True)
        for deb in sorted(debs.glob("*.deb")):
            unpacked = _run(["dpkg", "-x", deb, staging])
            if unpacked.returncode != 0:
                raise AssertionError(f"dpkg -x {deb} failed:\n{unpacked.stderr}")
        shutil.rmtree(tree.root, ignore_errors=True)
        staging.rename(tree.root)
        assert tree.binary.exists(), f"no sendmail binary in {tree.root}"
        return tree


def inet_filter(name: str, port: int, *, flags: str = "T",
                timeouts: str = "C:5s;S:10s;R:10s;E:30s") -> str:
    """An INPUT_MAIL_FILTER line: Sendmail's own `S=inet:PORT@HOST` syntax;
    F=T tempfails when the filter is unavailable (§8). Several lines give
    Sendmail's native milter chain, in order."""
    equates = f"S=inet:{port}@127.0.0.1"
    if flags:
        equates += f", F={flags}"
    if timeouts:
        equates += f", T={timeouts}"
    return f"INPUT_MAIL_FILTER(`{name}', `{equates}')dnl"


@dataclass(frozen=True)
class QueuedMessage:
    """A message Sendmail accepted and keeps in its queue (queue-only mode)."""

    queue_id: str
    sender: str
    recipients: tuple[str, ...]
    # (flags between the ?s, name, value) in order; a folded value keeps its
    # line breaks as "\n" followed by the continuation's whitespace.
    headers: tuple[tuple[str, str, str], ...]
    body: bytes  # the df file: lines end with "\n"

    def plain_headers(self) -> list[tuple[str, str]]:
        """The headers the message will carry, without the conditional ones
        whose value is an internal macro (H?P?Return-Path: <$g> and the like)."""
        return [(name, value) for flags, name, value in self.headers if not flags]

    def as_message(self) -> bytes:
        """The message as it would be delivered (plain headers, then the
        body), with CRLF line ends, for the normalisation of the
        differential test. A header is written "NAME: VALUE": the qf file
        does not keep whether a space followed the colon."""
        head = b"".join(f"{name}: {value}\n".encode("utf-8", "surrogateescape")
                        for name, value in self.plain_headers())
        return (head + b"\n" + self.body).replace(b"\n", b"\r\n")


def parse_qf(queue_id: str, qf: str, df: bytes) -> QueuedMessage:
    sender = ""
    recipients: list[str] = []
    headers: list[list[str]] = []
    in_header = False
    for line in qf.split("\n"):
        if line == ".":
            break
        if in_header and line[:1] in (" ", "\t"):
            headers[-1][2] += "\n" + line
            continue
        in_header = False
        kind, rest = line[:1], line[1:]
        if kind == "S":
            sender = rest
        elif kind == "R":
            # R<flags>:<address>, e.g. RPFD:<rcpt@example.org>
            recipients.append(rest.split(":", 1)[1])
        elif kind == "H":
            match = re.match(r"\?([^?]*)\?([^:]+):[ ]?(.*)", rest, re.DOTALL)
            assert match, f"unexpected header line in qf{queue_id}: {line!r}"
            headers.append([match.group(1), match.group(2), match.group(3)])
            in_header = True
    return QueuedMessage(queue_id, sender, tuple(recipients),
                         tuple((f, n, v) for f, n, v in headers), df)


class Sendmail:
    """One queue-only Sendmail instance under `root`."""

    def __init__(self, root: Path, tree: SendmailTree, *, milters: Sequence[str] = ()) -> None:
        self.root = root
        self.tree = tree
        self.milters = list(milters)
        self.port = free_port()
        self.mqueue = root / "mqueue"
        self.cf = root / "test.cf"
        self.process = ManagedProcess(
            f"sendmail:{self.port}",
            ["unshare", "-m", "-u", "--propagation", "private", "sh", root / "run.sh"],
            output=root / "sendmail.out", logs=[root / "trace.log"])

    @property
    def logs(self) -> list[Path]:
        return self.process.logs

    def mc(self) -> str:
        r = self.root
        defines = {
            "confDOMAIN_NAME": HOSTNAME,
            "confDONT_PROBE_INTERFACES": "True",
            "confSERVICE_SWITCH_FILE": f"{r}/etc/service.switch",
            "ALIAS_FILE": f"{r}/etc/aliases",
            "confCW_FILE": f"{r}/etc/local-host-names",
            "QUEUE_DIR": str(self.mqueue),
            "confPID_FILE": f"{r}/sendmail.pid",
            "STATUS_FILE": f"{r}/statistics",
            "confHOST_STATUS_DIRECTORY": "",
            "confDEF_USER_ID": "nobody:nogroup",
            "confDONT_BLAME_SENDMAIL": "GroupWritableDirPathSafe,ForwardFileInUnsafeDirPathSafe",
            # The message stays in the queue, where the test reads it: relaying
            # on to the sink would need DNS here (§8).
            "confDELIVERY_MODE": "queueonly",
            "confMILTER_LOG_LEVEL": "14",
            "confLOG_LEVEL": "14",
        }
        lines = ["divert(-1)", f"include(`{self.tree.cf_m4}')", "divert(0)dnl",
                 "OSTYPE(`linux')dnl"]
        lines += [f"define(`{key}', `{value}')dnl" for key, value in defines.items()]
        lines += ["FEATURE(`nocanonify')dnl",
                  "FEATURE(`accept_unresolvable_domains')dnl",
                  "FEATURE(`promiscuous_relay')dnl",
                  # cf.m4 adds an MSA daemon on port 587 of every address by
                  # default: not loopback-only, and a second instance could
                  # not bind it.
                  "FEATURE(`no_default_msa')dnl",
                  f"DAEMON_OPTIONS(`Port={self.port}, Addr=127.0.0.1, Name=MTA')dnl",
                  *self.milters,
                  "MAILER(`smtp')dnl"]
        return "\n".join(lines) + "\n"

    def write_config(self) -> None:
        r = self.root
        for sub in ("etc", "mqueue"):
            (r / sub).mkdir(parents=True, exist_ok=True)
        (r / "etc/aliases").touch()
        (r / "etc/local-host-names").touch()
        (r / "etc/service.switch").write_text("hosts files\n")
        (r / "hosts").write_text(f"127.0.0.1 localhost\n127.0.0.1 {HOSTNAME} mx\n")
        (r / "resolv.conf").write_text("nameserver 127.0.0.1\n")
        (r / "test.mc").write_text(self.mc())
        result = _run(["m4", r / "test.mc"])
        if result.returncode != 0:
            raise AssertionError(f"m4 test.mc failed:\n{result.stderr}")
        self.cf.write_text(result.stdout)
        # The bind mounts and the host name exist only inside the namespace;
        # `exec` makes the recorded pid Sendmail's own.
        (r / "run.sh").write_text(
            "set -e\n"
            f"mount --bind {r}/hosts /etc/hosts\n"
            f"mount --bind {r}/resolv.conf /etc/resolv.conf\n"
            f"hostname {HOSTNAME}\n"
            f"exec {self.tree.binary} -C {self.cf} -bD -X {r}/trace.log"
            f" -OQueueDirectory={self.mqueue}\n")

    def start(self) -> Sendmail:
        self.write_config()
        self.process.start()
        wait_tcp(self.port, timeout=START_TIMEOUT, proc=self.process, logs=self.logs)
        return self

    def stop(self) -> None:
        self.process.stop()

    def assert_stopped(self) -> None:
        self.process.assert_stopped()

    def send(self, sender: str, recipients: Sequence[str], data: bytes, **kwargs) -> Outcome:
        return send_mail(self.port, sender, recipients, data, **kwargs)

    def queued(self, queue_id: str) -> QueuedMessage:
        """The queue files of an accepted message (written before the 250)."""
        qf = (self.mqueue / f"qf{queue_id}").read_bytes().decode("utf-8", "surrogateescape")
        df = (self.mqueue / f"df{queue_id}").read_bytes()
        return parse_qf(queue_id, qf, df)


def accepted_queue_id(outcome: Outcome) -> str | None:
    """The queue id in Sendmail's `250 2.0.0 ID Message accepted for delivery`."""
    if not outcome.accepted:
        return None
    match = ACCEPTED_RE.match(outcome.final.text)
    return match.group(1) if match else None


def as_queued(fields: list[bytes]) -> list[tuple[str, str]]:
    """Header fields as Sendmail keeps them in its qf file: (name, value),
    the value after ": ", continuation lines joined with "\\n"."""
    result = []
    for field in fields:
        name, _, value = field.decode().partition(":")
        result.append((name, value.removeprefix(" ").removesuffix("\r\n").replace("\r\n", "\n")))
    return result


def received_for(queued: QueuedMessage, recipient: str = "rcpt@example.org") -> re.Match[str]:
    """Sendmail's own Received header (the first one), matched; group 1 is the queue id."""
    name, value = queued.plain_headers()[0]
    assert name == "Received"
    match = re.fullmatch(
        r"from client\.example \(localhost \[127\.0\.0\.1\]\)\n"
        rf"\tby {re.escape(HOSTNAME)} \(8\.17\.[\d.]+/8\.17\.[\d.]+\) with ESMTP id (\S+)\n"
        rf"\tfor <{re.escape(recipient)}>; .+", value)
    assert match, value
    return match
