"""The `stock-debian-this-host*` goldens (show-config.md §8, detectors.md §9):
on the fixture root of detectors.md §9.3 built here, and once on this real
Debian machine with opendkim, clamav-milter, spamass-milter and rspamd
installed by the test command (scripts/test-packages.txt)."""

import os
import shutil
import subprocess

import pytest

from milter_manager.config.detectors.reference import build_reference_root
from milter_manager.config.dumper import dump_configuration
from milter_manager.config.golden import (
    CLEARED_ENV,
    compare,
    expected_text,
    golden_cases,
    load_options,
    run_case,
    stock_config_dir,
)
from milter_manager.config.loader import ConfigurationLoader

from .support import PROJECT, SHARED

CASES = {case.name: case for case in golden_cases(str(SHARED))}
GOLDENS = ["stock-debian-this-host", "stock-debian-this-host-norspamadm"]
PACKAGES = ("opendkim", "clamav-milter", "spamass-milter", "rspamd")


@pytest.fixture(autouse=True)
def golden_environment(monkeypatch):
    for name in CLEARED_ENV:
        monkeypatch.delenv(name, raising=False)


def dump_on(root, case):
    with stock_config_dir(str(SHARED)) as directory:
        options = load_options(case, str(SHARED), directory, str(root))
        actual = dump_configuration(ConfigurationLoader(options).startup())
        return compare(expected_text(case, str(SHARED), directory), actual, directory)


@pytest.mark.parametrize("name", GOLDENS)
def test_golden_on_the_fixture_root(name, tmp_path):
    root = build_reference_root(str(tmp_path), rspamadm=not name.endswith("norspamadm"))
    assert dump_on(root, CASES[name]) == []


@pytest.mark.parametrize("name", GOLDENS)
def test_golden_through_the_runners_fixture_root(name):
    """What compat/show_config.py runs (milter_manager.config.golden)."""
    _actual, problems = run_case(CASES[name], str(SHARED))
    assert problems == []


def test_the_fixture_root_matters(tmp_path):
    """The goldens differ where the rspamd proxy is (or is not) found."""
    root = build_reference_root(str(tmp_path), rspamadm=False)
    problems = dump_on(root, CASES["stock-debian-this-host"])
    assert any("inet:11332@localhost" in problem for problem in problems)


def test_show_config_runner_passes_the_detector_goldens():
    done = subprocess.run([str(PROJECT / ".venv" / "bin" / "python"),
                           str(PROJECT / "compat" / "show_config.py"), *GOLDENS],
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stdout
    assert done.stdout.splitlines()[-1] == "2 passed, 0 failed"


def installed(package):
    done = subprocess.run(["dpkg-query", "-W", "-f=${Status}", package],
                          capture_output=True, text=True, check=False)
    return done.stdout.strip() == "install ok installed"


def path_without(command, tmp_path):
    """PATH with COMMAND hidden: each directory holding it is replaced by a
    directory of links to its other entries."""
    entries = []
    for index, directory in enumerate(os.environ.get("PATH", os.defpath).split(":")):
        if not os.path.exists(os.path.join(directory, command)):
            entries.append(directory)
            continue
        shadow = tmp_path / f"path-{index}"
        shadow.mkdir()
        for name in os.listdir(directory):
            if name != command:
                os.symlink(os.path.join(directory, name), shadow / name)
        entries.append(str(shadow))
    return ":".join(entries)


@pytest.mark.real_milters
@pytest.mark.parametrize("name", GOLDENS)
def test_golden_on_this_host(name, tmp_path, monkeypatch):
    missing = [package for package in PACKAGES if not installed(package)]
    assert not missing, f"scripts/test installs them (scripts/test-packages.txt): {missing}"
    if name.endswith("norspamadm"):
        # The spec README's decision: the test hides rspamadm from PATH.
        monkeypatch.setenv("PATH", path_without("rspamadm", tmp_path))
        assert shutil.which("rspamadm") is None
    else:
        assert shutil.which("rspamadm") is not None
    assert dump_on("/", CASES[name]) == []
