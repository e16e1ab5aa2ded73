"""The golden `--show-config` cases of `../shared/upstream/show-config/`
(show-config.md §8): how each is loaded, and the line comparison with the
placeholder rules. Shared by `compat/show_config.py` and the tests.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from milter_manager.config.loader import ConfigurationLoader, LoadOptions
from milter_manager.config.logsink import StdoutLog

PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# Environment variables a golden run must not see (show-config.md §8).
CLEARED_ENV = ("MILTER_LOG_LEVEL", "MILTER_LOG_PATH", "MILTER_MANAGER_CONFIG_DIR",
               "MILTER_EVENT_LOOP_BACKEND", "MILTER_N_WORKERS",
               "MILTER_MANAGER_DEFAULTS_PROFILE", "MILTER_MANAGER_DETECTOR_ROOT")
STOCK_CONFIG_DIR = "/etc/milter-manager"
_RUBYLIB = re.compile(r"^(\s*)# @RUBYLIB@/\S+:\d+$")
_LOCATION = re.compile(r"^(\s*)# (/\S+):([1-9][0-9]*)$")


@dataclass(frozen=True)
class GoldenCase:
    name: str                     # the dump's file name without `.dump`
    dump: str                     # path of the golden
    kind: str                     # "fixture" or "stock"
    files: tuple[str, ...] = ()   # fixture: top-level loads, in order
    load_path: str = ""           # fixture: the one load path
    profile: str = "upstream"
    uid: int = 0
    # stock cases: which detector root (detectors.md §9): "empty", or a
    # fixture root the detectors issue provides ("this-host", "norspamadm").
    detector_root: str = "empty"

    @property
    def needs_detectors(self) -> bool:
        return self.detector_root != "empty"


def top_dir(shared: str) -> str:
    """TOP: absolute, normalised path of `shared/upstream`."""
    return os.path.normpath(os.path.abspath(os.path.join(shared, "upstream")))


def golden_cases(shared: str) -> list[GoldenCase]:
    top = top_dir(shared)
    fixtures = os.path.join(top, "test", "fixtures")
    configuration = os.path.join(fixtures, "configuration")
    cases = []
    directory = os.path.join(top, "show-config")
    for entry in sorted(os.listdir(directory)):
        if not entry.endswith(".dump"):
            continue
        name = entry[:-len(".dump")]
        dump = os.path.join(directory, entry)
        if name.startswith("leader-"):
            cases.append(GoldenCase(name, dump, "fixture", (
                os.path.join(configuration, "milter-manager.conf"),
                os.path.join(fixtures, "leader", name[len("leader-"):] + ".conf")),
                configuration))
        elif name in ("configuration-milter-manager", "manager-milter-manager"):
            base = os.path.join(fixtures, name.split("-", 1)[0])
            cases.append(GoldenCase(name, dump, "fixture",
                                    (os.path.join(base, "milter-manager.conf"),), base))
        elif name == "stock-debian-no-milters":
            cases.append(GoldenCase(name, dump, "stock"))
        elif name == "stock-debian-package-build-nonroot-no-milters":
            cases.append(GoldenCase(name, dump, "stock", profile="debian-package",
                                    uid=1000))
        elif name == "stock-debian-this-host":
            cases.append(GoldenCase(name, dump, "stock", detector_root="this-host"))
        elif name == "stock-debian-this-host-norspamadm":
            cases.append(GoldenCase(name, dump, "stock", detector_root="norspamadm"))
        else:
            cases.append(GoldenCase(name, dump, "unknown"))
    return cases


@contextmanager
def stock_config_dir(shared: str) -> Iterator[str]:
    """D: a copy of the stock files of `upstream/data` (show-config.md §8)."""
    data = os.path.join(top_dir(shared), "data")
    with tempfile.TemporaryDirectory(prefix="milter-manager-stock-") as directory:
        shutil.copy(os.path.join(data, "milter-manager.conf"), directory)
        for sub in ("applicable-conditions", "defaults"):
            shutil.copytree(os.path.join(data, sub), os.path.join(directory, sub))
        yield directory


def detector_root_for(case: GoldenCase, empty: str) -> str | None:
    """The detector root of a stock case; None when it is not available (the
    detectors issue provides the fixture roots of detectors.md §9.3)."""
    if case.detector_root == "empty":
        return empty
    try:
        from milter_manager.config.detectors import fixture_root  # type: ignore[attr-defined]
    except ImportError:
        return None
    return fixture_root(case.detector_root)


def load_options(case: GoldenCase, shared: str, config_dir: str | None = None,
                 detector_root: str | None = None) -> LoadOptions:
    """The load-cycle inputs of CASE (config_dir = D for stock cases)."""
    env = {key: value for key, value in os.environ.items() if key not in CLEARED_ENV}
    common = {"custom_directory": False, "env": env, "log_level": None,
                  "log": StdoutLog(lambda: 0)}
    if case.kind == "fixture":
        return LoadOptions(load_paths=[case.load_path], files=list(case.files),
                           profile=case.profile, uid=case.uid, **common)
    assert config_dir is not None
    return LoadOptions(load_paths=[config_dir], profile=case.profile, uid=case.uid,
                       detector_root=detector_root, **common)


def expected_text(case: GoldenCase, shared: str, config_dir: str | None = None) -> str:
    with open(case.dump, encoding="utf-8") as stream:
        text = stream.read()
    text = text.replace("@TOP_SRCDIR@", top_dir(shared))
    if case.kind == "stock" and config_dir is not None:
        text = text.replace(STOCK_CONFIG_DIR + "/", config_dir + "/")
    return text


def compare(expected: str, actual: str, config_dir: str | None = None) -> list[str]:
    """Differences between a golden (placeholders of TOP/D already replaced)
    and our dump, by the rules of show-config.md §8; empty when they match."""
    problems: list[str] = []
    if not actual.endswith("\n") or actual.endswith("\n\n"):
        problems.append("output does not end with exactly one newline")
    want = expected.split("\n")
    got = actual.split("\n")
    for number in range(max(len(want), len(got))):
        w = want[number] if number < len(want) else "<missing>"
        g = got[number] if number < len(got) else "<missing>"
        if w == g:
            continue
        rubylib = _RUBYLIB.match(w)
        location = _LOCATION.match(g)
        if rubylib and location and rubylib.group(1) == location.group(1):
            path = location.group(2)
            inside_config = config_dir is not None and path.startswith(config_dir + "/")
            if path.startswith(PACKAGE_DIR + "/") and not inside_config:
                continue
        problems.append(f"line {number + 1}: expected {w!r}, got {g!r}")
    return problems


def run_case(case: GoldenCase, shared: str) -> tuple[str | None, list[str]]:
    """Load CASE and compare: (our dump or None, problems)."""
    from milter_manager.config.dumper import dump_configuration
    from milter_manager.config.errors import ConfigurationError
    if case.kind == "fixture":
        options = load_options(case, shared)
        try:
            actual = dump_configuration(ConfigurationLoader(options).startup())
        except ConfigurationError as error:
            return None, [f"load error: {error}"]
        return actual, compare(expected_text(case, shared), actual)
    if case.kind != "stock":
        return None, ["unknown golden: no rule says how it was produced"]
    with stock_config_dir(shared) as directory, \
            tempfile.TemporaryDirectory(prefix="milter-manager-root-") as empty:
        root = detector_root_for(case, empty)
        if root is None:
            return None, [("needs the Debian detectors (detectors issue): "
                          "no fixture root available yet")]
        options = load_options(case, shared, directory, root)
        try:
            actual = dump_configuration(ConfigurationLoader(options).startup())
        except ConfigurationError as error:
            return None, [f"load error: {error}"]
        return actual, compare(expected_text(case, shared, directory), actual, directory)
