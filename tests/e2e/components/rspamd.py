"""rspamd with its proxy worker in milter mode (real-components.md §7.4).

/etc/rspamd stays untouched: LOCAL_CONFDIR points at a private directory with
our local.d, and the run-time directories are redirected with --var. DNS goes
to 127.0.0.1:53 only (§0). The hyperscan databases are compiled into DBDIR
on the first start (≈ 30 s on 2 cores), so DBDIR is a persistent cache
outside the tmp dir, reused by later runs.
"""

from __future__ import annotations

from pathlib import Path

from .files import chown_tree
from .ports import free_ports
from .process import ManagedProcess
from .waiting import milter_negotiates, wait_tcp, wait_until

USER = "_rspamd"
# rspamd's verdict for the GTUBE: action reject, reply 554 5.7.1 with the
# symbol's message.
GTUBE_REPLY = (554, "5.7.1 Gtube pattern")
START_TIMEOUT = 120.0  # §2: 20–30 s on a first start


class Rspamd:
    def __init__(self, workdir: Path, *, dbdir: Path) -> None:
        self.workdir = workdir
        self.dbdir = dbdir
        self.port, self.normal_port, self.controller_port, self.fuzzy_port = free_ports(4)
        self.confdir = workdir / "conf"
        self.rundir = workdir / "run"
        self.logdir = workdir / "log"
        self.process = ManagedProcess(
            "rspamd",
            ["rspamd", "-f", "-u", USER, "-g", USER, "-c", "/etc/rspamd/rspamd.conf",
             "--var", f"LOCAL_CONFDIR={self.confdir}",
             "--var", f"RUNDIR={self.rundir}",
             "--var", f"DBDIR={self.dbdir}",
             "--var", f"LOGDIR={self.logdir}"],
            output=workdir / "rspamd.out", logs=[self.logdir / "rspamd.log"])

    @property
    def logs(self) -> list[Path]:
        return self.process.logs

    def write_config(self) -> None:
        local = self.confdir / "local.d"
        override = self.confdir / "override.d"
        for directory in (local, override, self.rundir, self.logdir, self.dbdir):
            directory.mkdir(parents=True, exist_ok=True)
        (local / "options.inc").write_text(
            "dns {\n"
            '  nameserver = ["127.0.0.1:53"];\n'
            "  timeout = 0.3s;\n"
            "  retransmits = 1;\n"
            "}\n")
        (local / "fuzzy_check.conf").write_text("enabled = false;\n")
        # override.d, not local.d: rspamd.conf already sets bind_socket, and
        # local.d merges (the worker would listen on both addresses).
        (override / "worker-proxy.inc").write_text(
            f'bind_socket = "127.0.0.1:{self.port}";\n'
            "milter = yes;\n"
            "timeout = 120s;\n"
            'upstream "local" {\n'
            "  default = yes;\n"
            "  self_scan = yes;\n"
            "}\n")
        (override / "worker-normal.inc").write_text(
            f'bind_socket = "127.0.0.1:{self.normal_port}";\n')
        (override / "worker-controller.inc").write_text(
            f'bind_socket = "127.0.0.1:{self.controller_port}";\n')
        (override / "worker-fuzzy.inc").write_text(
            f'bind_socket = "127.0.0.1:{self.fuzzy_port}";\ncount = -1;\n')
        for directory in (self.rundir, self.logdir, self.dbdir):
            chown_tree(directory, USER)

    def start(self) -> Rspamd:
        self.write_config()
        self.process.start()
        wait_tcp(self.port, timeout=START_TIMEOUT, proc=self.process, logs=self.logs)
        # The main process binds before its proxy worker serves: wait until
        # the worker answers a negotiate.
        wait_until(lambda: milter_negotiates(self.port), timeout=START_TIMEOUT,
                   what=f"rspamd's proxy to negotiate on port {self.port}", logs=self.logs)
        return self

    @property
    def processes(self) -> list[ManagedProcess]:
        return [self.process]

    def stop(self) -> None:
        # SIGTERM to the main process stops its workers (§7.4).
        self.process.stop(timeout=30.0)

    def assert_stopped(self) -> None:
        self.process.assert_stopped()
