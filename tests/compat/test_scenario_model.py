"""Scenario files: typed values (§3.3), imports and overrides (§4.1), formats (§11)."""

from pathlib import Path

import pytest

from milter_manager.protocol.flags import parse_actions, parse_steps
from milter_manager.testing.harness.scenario import (
    ScenarioError,
    header_list,
    load_scenario,
    nullable_list,
    option_list,
    pair_list,
    sorted_pairs,
    sorted_strings,
)

from .conftest import FIXTURES


def test_nullable_list():
    assert nullable_list(["", "Hi,"]) == [None, b"Hi,"]


def test_pair_list_with_nulls_and_an_odd_count():
    assert pair_list(["From", "kou+sender@example.com", "", ""]) == [
        (b"From", b"kou+sender@example.com"), (None, None)]
    assert pair_list(["a", "1", "b"]) == [(b"a", b"1"), (b"b", None)]


def test_pairs_sort_by_name_then_value_nulls_first():
    pairs = [(b"b", b"1"), (None, None), (b"a", b"2"), (b"a", None), (b"B", b"0")]
    assert sorted_pairs(pairs) == [(None, None), (b"B", b"0"), (b"a", None), (b"a", b"2"),
                                   (b"b", b"1")]
    assert sorted_strings([b"b", None, b"a"]) == [None, b"a", b"b"]


def test_option_list_empty_version_is_null_and_skips_its_triple():
    a = "add-headers|quarantine"
    assert option_list(["6", a, "skip", "", "", ""], "options") == [
        (6, parse_actions(a), parse_steps("skip")), None]
    assert option_list([""] * 6, "options") == [None, None]
    assert option_list([], "options") == []


def test_option_list_missing_trailing_flags_are_empty():
    # `option=6;add-headers;` reads as two items (§3.2): the steps are none.
    assert option_list(["6", "add-headers"], "option") == [(6, parse_actions("add-headers"), 0)]


@pytest.mark.parametrize("items", [["6", "bogus", "skip"], ["6", "", "bogus"],
                                   ["x", "", ""]])
def test_bad_option_lists(items):
    with pytest.raises(ScenarioError):
        option_list(items, "options")


def test_header_list_splits_at_the_first_colon():
    assert header_list(["From:kou+sender@example.com", "X:a:b", "NoColon", "Empty:"]) == [
        (b"From", b"kou+sender@example.com"), (b"X", b"a:b"), (b"NoColon", None),
        (b"Empty", b"")]


def write(directory: Path, name: str, text: str) -> Path:
    path = directory / name
    path.write_text(text)
    return path


def test_imports_run_first_depth_first_and_the_main_negotiate_overrides(tmp_path):
    write(tmp_path, "base.txt", """[scenario]
clients=c1
actions=negotiate

[c1]
port=1

[negotiate]
command=negotiate
version=2
action=add-headers
step=no-connect
response=negotiate
n_received=1
options=2;add-headers;no-connect
""")
    write(tmp_path, "middle.txt", """[scenario]
clients=c1
import=base.txt
actions=helo

[c1]
port=1

[helo]
command=helo
fqdn=delian
""")
    main = write(tmp_path, "main.txt", """[scenario]
clients=c2
import=middle.txt;base.txt
actions=helo

[c2]
port=2
arguments=--action;accept
run=false

[negotiate]
version=6
options=6;add-headers;

[helo]
command=helo
fqdn=mail.example.com
""")
    scenario = load_scenario(main)
    assert [(a.owner.name, a.group) for a in scenario.actions] == [
        ("base", "negotiate"), ("middle", "helo"), ("base", "negotiate"), ("main", "helo")]
    negotiate = scenario.actions[0]
    assert negotiate.integer("version") == 6                  # the main file's override
    assert negotiate.string("step") == "no-connect"           # not overridden: the import's
    assert negotiate.option_list("options") == [(6, parse_actions("add-headers"), 0)]
    assert negotiate.string("response") == "negotiate"        # only v/a/s/options override
    assert scenario.actions[1].string("fqdn") == "delian"     # imports use their own groups
    assert [(c.name, c.port, c.arguments, c.run) for c in scenario.clients] == [
        ("c2", 2, ["--action", "accept"], False)]             # only the main clients
    assert scenario.kind == "leader"


def test_import_cycle_is_an_error(tmp_path):
    write(tmp_path, "a.txt", "[scenario]\nimport=b.txt\nactions=\n")
    write(tmp_path, "b.txt", "[scenario]\nimport=a.txt\nactions=\n")
    with pytest.raises(ScenarioError, match="cycle"):
        load_scenario(tmp_path / "a.txt")


def test_unknown_command_is_an_error(tmp_path):
    path = write(tmp_path, "x.txt", "[scenario]\nactions=x\n\n[x]\ncommand=bogus\n")
    with pytest.raises(ScenarioError):
        load_scenario(path)


def test_formats_of_the_shared_sets():
    assert load_scenario(FIXTURES / "leader" / "body.txt").kind == "leader"
    assert load_scenario(FIXTURES / "children" / "helo.txt").kind == "children"
    assert load_scenario(FIXTURES / "children" / "negotiate.txt").kind == "children"
    manager = load_scenario(FIXTURES / "manager" / "normal.txt")
    assert manager.kind == "manager"
    assert manager.expected == "status: pass"


def test_every_shared_scenario_loads():
    for path in sorted(FIXTURES.glob("*/*.txt")):
        scenario = load_scenario(path)
        assert scenario.actions or scenario.kind == "manager", path


def test_root_is_derived_from_the_file_place(tmp_path):
    from milter_manager.testing.harness.scenario import scenario_root
    assert scenario_root(FIXTURES / "leader" / "body.txt") == FIXTURES.parents[1]
    assert scenario_root(tmp_path / "mine.txt", Path("/default")) == Path("/default")
