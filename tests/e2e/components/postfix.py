"""A private Postfix instance in the foreground (real-components.md §4).

The system configuration under /etc/postfix is only read (master.cf and the
map definitions are copied); the instance has its own queue, data directory,
log file and loopback listener, and relays everything to the sink.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

from .files import grant_traverse
from .ports import free_port
from .process import ManagedProcess
from .smtp import Outcome, send_mail
from .waiting import describe_logs, wait_tcp

START_TIMEOUT = 20.0  # real-components.md §2: ≈ 0.8 s observed
STOP_TIMEOUT = 20.0

# The recipient domain relayed to the sink; mail to any other domain is
# refused (smtpd_relay_restrictions), so a typo cannot go anywhere else.
RELAY_DOMAIN = "example.org"
MYHOSTNAME = "mx.sandbox.test"

# Debian's master.cf chroots most services; the private instance has no
# chroot tree, so every chroot column becomes "n" (§4.2).
_CHROOT_COLUMN = re.compile(
    r"^([a-z0-9.:]+\s+(?:unix|inet|fifo|unix-dgram|pass)\s+\S+\s+\S+\s+)y(\s)", re.MULTILINE)


def inet_milter(port: int, host: str = "127.0.0.1", **settings: str) -> str:
    """A Postfix milter entry: `inet:HOST:PORT` (Postfix's own syntax, not the
    manager's `inet:PORT@HOST`, §4.2), with per-milter settings (Postfix ≥ 3.0)
    such as default_action=accept or command_timeout=5s."""
    spec = f"inet:{host}:{port}"
    if not settings:
        return spec
    extra = ", ".join(f"{key}={value}" for key, value in settings.items())
    return f"{{ {spec}, {extra} }}"


class Postfix:
    """One private Postfix instance under `root`."""

    def __init__(
        self,
        root: Path,
        *,
        relay_port: int,
        smtpd_milters: Sequence[str] = (),
        non_smtpd_milters: Sequence[str] | None = None,
        milter_default_action: str = "tempfail",
        settings: Mapping[str, str] | None = None,
        traverse_up_to: Path | None = None,
    ) -> None:
        self.root = root
        self.etc = root / "etc"
        self.log = root / "postfix.log"
        self.smtp_port = free_port()
        self.relay_port = relay_port
        self.smtpd_milters = list(smtpd_milters)
        self.non_smtpd_milters = list(
            smtpd_milters if non_smtpd_milters is None else non_smtpd_milters)
        self.milter_default_action = milter_default_action
        self.settings = dict(settings or {})
        self.traverse_up_to = traverse_up_to
        self.master: ManagedProcess | None = None

    # -- configuration -------------------------------------------------------

    def main_cf(self) -> str:
        r = self.root
        params = {
            "compatibility_level": "3.6",
            "queue_directory": f"{r}/spool",
            "data_directory": f"{r}/data",
            # No /dev/log here: postlogd writes the log to this file, and the
            # file's directory must be an allowed prefix (§4.2).
            "maillog_file": str(self.log),
            "maillog_file_prefixes": f"/var, /dev/stdout, {r}",
            "myhostname": MYHOSTNAME,
            "mydomain": "sandbox.test",
            "myorigin": "$myhostname",
            "inet_interfaces": "loopback-only",
            "inet_protocols": "ipv4",
            "mydestination": "",
            "relay_domains": RELAY_DOMAIN,
            # Brackets: no MX lookup (§0).
            "relayhost": f"[127.0.0.1]:{self.relay_port}",
            "mynetworks": "127.0.0.0/8",
            "smtpd_relay_restrictions": "permit_mynetworks reject",
            "smtpd_authorized_xclient_hosts": "127.0.0.0/8",
            "smtp_dns_support_level": "disabled",
            "smtpd_peername_lookup": "no",
            "smtp_tls_security_level": "none",
            "smtpd_tls_security_level": "none",
            "alias_maps": "",
            "alias_database": "",
            "smtpd_milters": ", ".join(self.smtpd_milters),
            "non_smtpd_milters": ", ".join(self.non_smtpd_milters),
            "milter_protocol": "6",
            "milter_default_action": self.milter_default_action,
            "milter_connect_timeout": "5s",
            "milter_command_timeout": "10s",
            "milter_content_timeout": "30s",
        }
        params.update(self.settings)
        return "".join(f"{key} = {value}\n" for key, value in params.items())

    def _postconf(self, *args: str) -> None:
        self._run(["postconf", "-c", str(self.etc), *args])

    def _run(self, argv: list[str]) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(argv, check=False, capture_output=True, text=True, timeout=60)
        if result.returncode != 0:
            raise AssertionError(
                f"{' '.join(argv)} exited with {result.returncode}\n"
                f"stdout: {result.stdout}\nstderr: {result.stderr}" + describe_logs([self.log]))
        return result

    def write_config(self) -> None:
        for sub in ("etc", "spool", "data"):
            (self.root / sub).mkdir(parents=True, exist_ok=True)
        if self.traverse_up_to is not None:
            # master and its services run as postfix and must reach the
            # queue and data directories under pytest's 0700 tmp root.
            grant_traverse(self.root, self.traverse_up_to)
        for name in ("master.cf", "postfix-files", "dynamicmaps.cf"):
            shutil.copy(Path("/etc/postfix") / name, self.etc / name)
        for name in ("postfix-files.d", "dynamicmaps.cf.d"):
            src = Path("/etc/postfix") / name
            if src.is_dir():
                shutil.copytree(src, self.etc / name, dirs_exist_ok=True)
        (self.etc / "main.cf").write_text(self.main_cf())
        self._postconf("-M#", "smtp/inet")  # no port 25
        listener = f"127.0.0.1:{self.smtp_port}"
        self._postconf("-M", "-e", f"{listener}/inet = {listener} inet n - n - - smtpd")
        master_cf = self.etc / "master.cf"
        master_cf.write_text(_CHROOT_COLUMN.sub(r"\1n\2", master_cf.read_text()))
        self._backdate_config()
        self._create_queue_tree()

    def _backdate_config(self) -> None:
        """Postfix rereads a configuration file that changed within the last
        second until it is a second old (it could still be being written):
        2 s per start for a freshly written main.cf. Ours is complete."""
        past = time.time() - 60
        for path in self.etc.rglob("*"):
            os.utime(path, (past, past))

    def _create_queue_tree(self) -> None:
        """Create the queue and data directories as `postfix check` would.

        `postfix check` (which start-fg also runs) takes about 2 s, nearly
        all of it spent checking the system installation; its only effect
        on a fresh instance is this tree, built here from Postfix's own
        table (postfix-files: path:type:owner:group:mode:flags). The
        `quick-start` file makes start-fg skip the checks once, as after
        `postfix quick-stop`. Owners matter: e.g. master opens
        data_directory/master.lock as postfix (§4.2).
        """
        where = {"$queue_directory": self.root / "spool", "$data_directory": self.root / "data"}
        owners = {"$mail_owner": "postfix", "$setgid_group": "postdrop", "root": "root"}
        for line in (self.etc / "postfix-files").read_text().splitlines():
            fields = line.split(":")
            if len(fields) < 5 or fields[1] != "d":
                continue
            top, _, sub = fields[0].partition("/")
            if top not in where:
                continue
            path = where[top] / sub if sub else where[top]
            path.mkdir(parents=True, exist_ok=True)
            user = owners[fields[2]]
            shutil.chown(path, user, owners.get(fields[3], user) if fields[3] != "-" else None)
            os.chmod(path, int(fields[4], 8))
        (self.root / "spool" / "quick-start").touch()

    # -- life cycle ----------------------------------------------------------

    def start(self) -> Postfix:
        self.write_config()
        self.master = ManagedProcess(
            f"postfix:{self.smtp_port}",
            ["postfix", "-c", self.etc, "start-fg"],
            output=self.root / "master.out", logs=[self.log])
        self.master.start()
        wait_tcp(self.smtp_port, timeout=START_TIMEOUT, proc=self.master, logs=self.master.logs)
        return self

    def stop(self) -> None:
        """Stop the master as `postfix stop` does: SIGTERM to the pid in
        pid/master.pid (master then stops its services). `postfix stop`
        itself polls with `sleep 1`, a second per test; here the recorded
        start-fg process is waited for, which exits right after master."""
        if self.master is None or not self.master.alive():
            return
        self.master.remember_children()
        master_pid = self._master_pid()
        if master_pid is None:  # not up yet (or gone): stop what we started
            self.master.stop()
            return
        os.kill(master_pid, signal.SIGTERM)
        self.master.wait_exit(STOP_TIMEOUT)
        self.master.reap_stragglers(timeout=5.0)

    def _master_pid(self) -> int | None:
        """master's pid from its pid file, if it is one of our processes."""
        try:
            pid = int((self.root / "spool" / "pid" / "master.pid").read_text().split()[0])
        except (OSError, ValueError, IndexError):
            return None
        return pid if pid in self.master.known else None

    def reload(self, **params: str) -> None:
        """Change main.cf parameters and reload (e.g. smtpd_milters, §10)."""
        for key, value in params.items():
            self._postconf("-e", f"{key} = {value}")
        self._backdate_config()
        self._run(["postfix", "-c", str(self.etc), "reload"])

    @property
    def logs(self) -> list[Path]:
        return self.master.logs if self.master else [self.log]

    # -- mail ----------------------------------------------------------------

    def send(self, sender: str, recipients: Sequence[str], data: bytes, **kwargs) -> Outcome:
        """Send one message to this instance's smtpd (see smtp.send_mail)."""
        return send_mail(self.smtp_port, sender, recipients, data, **kwargs)

    def submit_local(self, sender: str, recipients: Sequence[str], data: bytes) -> None:
        """The non-SMTP path: Postfix's sendmail(1) → pickup → cleanup, where
        non_smtpd_milters apply (§4.3)."""
        result = subprocess.run(
            ["/usr/sbin/sendmail", "-C", str(self.etc), "-i", "-f", sender, "--", *recipients],
            input=data, check=False, capture_output=True, timeout=60)
        if result.returncode != 0:
            raise AssertionError(
                f"sendmail exited with {result.returncode}: {result.stderr!r}"
                + describe_logs([self.log]))

    def log_text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""
