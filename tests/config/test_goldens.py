"""Every golden `--show-config` of ../shared/upstream/show-config/ (show-config.md §8),
byte for byte after the placeholder rules, and the round trip of §6."""

from pathlib import Path

import pytest

from milter_manager.config.dumper import dump_configuration
from milter_manager.config.golden import (
    CLEARED_ENV,
    compare,
    golden_cases,
    load_options,
    run_case,
)
from milter_manager.config.loader import ConfigurationLoader, LoadOptions

from .support import SHARED

CASES = golden_cases(str(SHARED))
# The stock-debian-this-host* goldens need the Debian detectors and their fixture
# root (detectors.md §9.3): they belong to the detectors issue's tests
# (compat/DEVIATIONS.md, "Configuration"); compat/show_config.py reports them.
DETECTOR_CASES = {"stock-debian-this-host", "stock-debian-this-host-norspamadm"}
OURS = [case for case in CASES if case.name not in DETECTOR_CASES]


@pytest.fixture(autouse=True)
def golden_environment(monkeypatch):
    for name in CLEARED_ENV:
        monkeypatch.delenv(name, raising=False)


def test_every_golden_has_a_rule():
    names = {case.name for case in CASES}
    assert DETECTOR_CASES <= names
    assert len(names) == len(list((SHARED / "upstream" / "show-config").glob("*.dump")))
    assert all(case.kind in ("fixture", "stock") for case in CASES)


@pytest.mark.parametrize("case", OURS, ids=[case.name for case in OURS])
def test_golden(case):
    actual, problems = run_case(case, str(SHARED))
    assert problems == []
    assert actual.endswith("\n") and not actual.endswith("\n\n")


def non_comment_lines(text):
    return [line for line in text.split("\n") if not line.lstrip().startswith("#")]


def reload_dump(text, path, case):
    Path(path).write_text(text)
    options = LoadOptions(load_paths=[str(Path(path).parent)], files=[str(path)],
                          custom_directory=False, profile=case.profile, uid=case.uid,
                          env={})
    return dump_configuration(ConfigurationLoader(options).startup())


@pytest.mark.parametrize("case", OURS, ids=[case.name for case in OURS])
def test_round_trip(case, tmp_path):
    """show-config.md §6: D1 → load → D2 (same non-comment lines) → D3 == D2."""
    first, problems = run_case(case, str(SHARED))
    assert problems == []
    path = tmp_path / "dump" / "milter-manager.conf"
    path.parent.mkdir()
    second = reload_dump(first, path, case)
    assert non_comment_lines(second) == non_comment_lines(first)
    third = reload_dump(second, path, case)
    assert third == second


def test_comparison_rules():
    golden = "# @RUBYLIB@/milter/manager/policy-manager.rb:31\nx = 1\n"
    package = str(Path(__file__).resolve().parents[2] / "milter_manager" / "config" / "a.py")
    assert compare(golden, f"# {package}:7\nx = 1\n") == []
    assert compare(golden, "# /etc/milter-manager/x.conf:7\nx = 1\n") != []
    assert compare(golden, f"  # {package}:7\nx = 1\n") != []        # indentation
    assert compare(golden, f"# {package}:0\nx = 1\n") != []          # positive line
    assert compare("x = 1\n", "x = 1\n\n") != []                     # one final newline
    assert compare("x = 1\n", "x = 2\n") != []


def test_fixture_cases_load_the_files_the_readme_names():
    case = next(c for c in CASES if c.name == "leader-connect-policy")
    options = load_options(case, str(SHARED))
    top = (SHARED / "upstream").resolve()
    assert options.load_paths == [str(top / "test" / "fixtures" / "configuration")]
    assert options.files == [str(top / "test/fixtures/configuration/milter-manager.conf"),
                             str(top / "test/fixtures/leader/connect-policy.conf")]
    assert options.custom_directory is False
