"""Fixtures for the end-to-end tests: real MTAs and real milters on loopback.

Slow daemons (opendkim, clamd + clamav-milter, spamd + spamass-milter,
rspamd) are session-scoped; Postfix, Sendmail, the sink, the tiny milter and
the manager under test are per test. Teardown runs in reverse order of set-up,
and the factories below depend on each other so that the MTA stops first,
then the manager, then the children, then the sink (real-components.md §11).

When a test fails, the tails of the logs of every component it used are added
to its report (see pytest_runtest_makereport).
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import pytest

from .components.clamav import ClamAV
from .components.files import grant_traverse
from .components.manager import Manager
from .components.opendkim import OpenDkim
from .components.postfix import Postfix
from .components.process import STARTUP_TIMES, Reaper
from .components.rspamd import Rspamd
from .components.sendmail import Sendmail, SendmailTree, ensure_sendmail_tree
from .components.sink import Sink
from .components.spamassassin import SpamAssassin
from .components.tinymilter import DEFAULT_HEADER, TinyMilter
from .components.waiting import tail

PROJECT_ROOT = Path(__file__).resolve().parents[2]
# Caches that survive between runs (git-ignored): the unpacked Sendmail and
# rspamd's compiled hyperscan databases.
CACHE_DIR = PROJECT_ROOT / ".cache"

@pytest.fixture(scope="session")
def daemon_root(tmp_path_factory: pytest.TempPathFactory,
                request: pytest.FixtureRequest) -> Iterator[Path]:
    """The root of the directories of daemons that drop privileges (Postfix's
    services, clamav, opendkim, spamd, rspamd, the manager as nobody).

    Not under pytest's tmp root: every pytest session that starts on the
    machine resets /tmp/pytest-of-USER to mode 0700, which would cut a running
    daemon off from its files whenever someone else starts a test run. This
    root is 0711 (searchable, not listable), linked from the session's tmp dir
    as `daemons`, and removed at the end of the run unless an e2e test failed
    (then it is kept for inspection).
    """
    root = Path(tempfile.mkdtemp(prefix="mm-e2e-"))
    os.chmod(root, 0o711)
    (tmp_path_factory.getbasetemp() / "daemons").symlink_to(root)
    try:
        yield root
    finally:
        if not _FAILURES:
            shutil.rmtree(root, ignore_errors=True)


def daemon_dir(root: Path, name: str) -> Path:
    """A fresh directory under `root` that daemons running as their own
    users can search (files.grant_traverse). The name is cut short, as pytest
    does for tmp_path: unix socket paths below it (Postfix's
    public/postlog, …) must stay within 107 bytes."""
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "-", name)[:16]
    path = Path(tempfile.mkdtemp(prefix=f"{safe}-", dir=root))
    grant_traverse(path, root)
    return path


@pytest.fixture
def daemon_tmp(daemon_root: Path, request: pytest.FixtureRequest) -> Path:
    """The per-test counterpart of tmp_path for daemons (see daemon_root)."""
    return daemon_dir(daemon_root, request.node.name)


# -- logs on failure -----------------------------------------------------------

LOGBOOK = pytest.StashKey[dict[str, list[Path]]]()
# Session-scoped components register their logs here under their fixture's
# name; a failing test shows those of the fixtures it used.
_SESSION_LOGS: dict[str, list[Path]] = {}
# Whether a test of this directory failed (then daemon_root is kept).
_FAILURES: list[str] = []


@pytest.fixture(autouse=True)
def logbook(request: pytest.FixtureRequest) -> dict[str, list[Path]]:
    """Per-test record of component logs: name -> files."""
    book: dict[str, list[Path]] = {}
    request.node.stash[LOGBOOK] = book
    return book


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()
    if not report.failed:
        return
    _FAILURES.append(item.nodeid)
    entries = dict(item.stash.get(LOGBOOK, {}))
    for name in getattr(item, "fixturenames", ()):
        if name in _SESSION_LOGS:
            entries[name] = _SESSION_LOGS[name]
    for name, paths in entries.items():
        for path in paths:
            report.sections.append((f"{report.when}: log of {name}: {path}", tail(path, 80)))


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Start-up times of the components this run started (real-components.md
    §2 lists the expected ones)."""
    if not STARTUP_TIMES:
        return
    by_name: dict[str, list[float]] = {}
    for name, seconds in STARTUP_TIMES:
        by_name.setdefault(name, []).append(seconds)
    terminalreporter.section("e2e start-up times (start until listening)")
    for name, times in sorted(by_name.items()):
        terminalreporter.write_line(
            f"{name:16} {len(times):3}x  min {min(times):6.2f}s  max {max(times):6.2f}s")


# -- per-test components ---------------------------------------------------------

@pytest.fixture
def sink(tmp_path: Path, logbook: dict[str, list[Path]]) -> Iterator[Sink]:
    """The final destination of every relayed message (in-process aiosmtpd)."""
    server = Sink(tmp_path / "sink").start()
    logbook["sink"] = [server.outdir / "msg1.eml", server.outdir / "msg1.env"]
    try:
        yield server
    finally:
        server.stop()


TinyMilterFactory = Callable[..., TinyMilter]


@pytest.fixture
def tiny_milter_factory(tmp_path: Path, logbook: dict[str, list[Path]],
                        sink: Sink) -> Iterator[TinyMilterFactory]:
    """make(name="tiny", headers=[(NAME, VALUE)], eom_delay=0) -> a started
    tiny milter on a free port (real-components.md §5)."""
    started: list[TinyMilter] = []

    def make(name: str = "tiny", headers: Sequence[tuple[str, str]] = (DEFAULT_HEADER,),
             eom_delay: float = 0.0) -> TinyMilter:
        milter = TinyMilter(tmp_path / "milters", name=name, headers=headers,
                            eom_delay=eom_delay)
        started.append(milter)
        logbook[f"tinymilter {name}"] = milter.logs
        return milter.start()

    try:
        yield make
    finally:
        for milter in reversed(started):
            milter.stop()
        for milter in started:
            milter.process.assert_stopped()


@pytest.fixture
def tiny_milter(tiny_milter_factory: TinyMilterFactory) -> TinyMilter:
    """One tiny milter adding `X-Tiny-Milter: seen-by-tinymilter`."""
    return tiny_milter_factory()


ManagerFactory = Callable[..., Manager]


@pytest.fixture
def manager_factory(daemon_tmp: Path, logbook: dict[str, list[Path]],
                    tiny_milter_factory: TinyMilterFactory) -> Iterator[ManagerFactory]:
    """make(config_text, extra_files={}) -> our milter-manager, started as a
    subprocess on a free port with `config_text` as its milter-manager.conf
    (see components/manager.py). Depends on the children's factory so that
    it stops before them."""
    started: list[Manager] = []

    def make(config: str, *, extra_files: dict[str, str] | None = None,
             user_name: str | None = None) -> Manager:
        manager = Manager(daemon_tmp / f"manager{len(started) + 1}", config,
                          extra_files=extra_files or {}, user_name=user_name,
                          traverse_up_to=daemon_tmp)
        started.append(manager)
        logbook[f"manager{len(started)}"] = manager.logs
        return manager.start()

    try:
        yield make
    finally:
        for manager in reversed(started):
            manager.stop()
        for manager in started:
            manager.process.assert_stopped()


PostfixFactory = Callable[..., Postfix]


@pytest.fixture
def postfix_factory(daemon_tmp: Path, logbook: dict[str, list[Path]], sink: Sink,
                    manager_factory: ManagerFactory) -> Iterator[PostfixFactory]:
    """make(smtpd_milters=[...], non_smtpd_milters=None, milter_default_action=
    "tempfail", settings={}) -> a started private Postfix relaying to `sink`
    (real-components.md §4). Use postfix.inet_milter(port) for the entries."""
    started: list[Postfix] = []

    def make(smtpd_milters: Sequence[str] = (), **kwargs) -> Postfix:
        instance = Postfix(daemon_tmp / f"postfix{len(started) + 1}", relay_port=sink.port,
                           smtpd_milters=smtpd_milters,
                           traverse_up_to=daemon_tmp, **kwargs)
        started.append(instance)
        logbook[f"postfix{len(started)}"] = instance.logs
        instance.start()
        logbook[f"postfix{len(started)}"] = instance.logs
        return instance

    try:
        yield make
    finally:
        for instance in reversed(started):
            instance.stop()
        for instance in started:
            if instance.master is not None:
                instance.master.assert_stopped()


SendmailFactory = Callable[..., Sendmail]


@pytest.fixture(scope="session")
def sendmail_tree() -> SendmailTree:
    """Sendmail 8.17 unpacked from Debian's .debs, cached in .cache/sendmail
    (downloaded once with `apt-get download`, real-components.md §8)."""
    return ensure_sendmail_tree(CACHE_DIR / "sendmail")


@pytest.fixture
def sendmail_factory(tmp_path: Path, logbook: dict[str, list[Path]],
                     sendmail_tree: SendmailTree,
                     manager_factory: ManagerFactory) -> Iterator[SendmailFactory]:
    """make(milters=[Sendmail milter specs]) -> a started Sendmail in its own
    mount/uts namespace, queue-only (real-components.md §8). Use
    sendmail.inet_filter(name, port) for the entries."""
    started: list[Sendmail] = []

    def make(milters: Sequence[str] = ()) -> Sendmail:
        instance = Sendmail(tmp_path / f"sendmail{len(started) + 1}", sendmail_tree,
                            milters=milters)
        started.append(instance)
        logbook[f"sendmail{len(started)}"] = instance.logs
        return instance.start()

    try:
        yield make
    finally:
        for instance in reversed(started):
            instance.stop()
        for instance in started:
            instance.assert_stopped()


# -- session-scoped real milters ---------------------------------------------------

@pytest.fixture(scope="session")
def reaper() -> Iterator[Reaper]:
    """Stops the session-scoped daemons together, after every one of them has
    been signalled (see process.Reaper), and checks none is left."""
    reaper = Reaper()
    try:
        yield reaper
    finally:
        reaper.wait_all()


@pytest.fixture(scope="session")
def opendkim(daemon_root: Path,
             reaper: Reaper) -> Iterator[OpenDkim]:
    """opendkim signing for example.com with selector `test`; the key pair is
    generated by opendkim-genkey (real-components.md §7.1)."""
    milter = OpenDkim(daemon_dir(daemon_root, "opendkim"))
    _SESSION_LOGS["opendkim"] = milter.logs
    try:
        milter.start()
        yield milter
    finally:
        reaper.terminate(milter.processes)


@pytest.fixture(scope="session")
def clamav(daemon_root: Path,
           reaper: Reaper) -> Iterator[ClamAV]:
    """clamd with a one-signature database plus clamav-milter
    (real-components.md §7.2)."""
    milter = ClamAV(daemon_dir(daemon_root, "clamav"))
    _SESSION_LOGS["clamav"] = milter.logs
    try:
        milter.start()
        yield milter
    finally:
        reaper.terminate(milter.processes)


@pytest.fixture(scope="session")
def spamassassin(daemon_root: Path,
                 reaper: Reaper) -> Iterator[SpamAssassin]:
    """spamd (offline, -L) plus spamass-milter (real-components.md §7.3)."""
    milter = SpamAssassin(daemon_dir(daemon_root, "spamassassin"))
    _SESSION_LOGS["spamassassin"] = milter.logs
    try:
        milter.start()
        yield milter
    finally:
        reaper.terminate(milter.processes)


@pytest.fixture(scope="session")
def rspamd(daemon_root: Path,
           reaper: Reaper) -> Iterator[Rspamd]:
    """rspamd with its proxy worker in milter mode, DNS on 127.0.0.1:53 only,
    hyperscan cache in .cache/rspamd (real-components.md §7.4)."""
    milter = Rspamd(daemon_dir(daemon_root, "rspamd"), dbdir=CACHE_DIR / "rspamd")
    _SESSION_LOGS["rspamd"] = milter.logs
    try:
        milter.start()
        yield milter
    finally:
        reaper.terminate(milter.processes)
