"""Inputs the fuzzers found (benchmarks/fuzz/run.py), kept as plain tests.
The manager's are replayed over real sockets in tests/faults/test_regressions.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from milter_manager.ruby.parser import parse
from milter_manager.ruby.syntax_error import RubySyntaxError
from milter_manager.testing.harness.scenario import ScenarioError, load_scenario


@pytest.mark.parametrize("source", [
    "def f\n  yield x do |a|\n  end\nend\n",
    # the mutated defaults/redhat.conf the fuzzer produced
    "[1].each do |s|\n yield detector.apply(self) do |milter|\n  milter.x = 1\n end\nend\n",
])
def test_block_given_to_yield_is_a_syntax_error(source):
    # It escaped the parser as AttributeError (a Yield node has no block);
    # Ruby says "block given to yield".
    with pytest.raises(RubySyntaxError, match="block given to yield"):
        parse(source, "redhat.conf")


def test_scenario_import_name_with_a_nul_is_a_scenario_error(tmp_path: Path):
    # ValueError ("embedded null byte") escaped load_scenario, and with it
    # the corpus runner, which only expects its own errors.
    path = tmp_path / "case.txt"
    path.write_bytes(b"[scenario]\nimport=other\x00.txt\nactions=a\n\n[a]\ncommand=data\n")
    with pytest.raises(ScenarioError, match="null byte"):
        load_scenario(path)


def test_missing_chunk_file_is_a_scenario_error(tmp_path: Path):
    from types import SimpleNamespace

    from milter_manager.testing.harness.actions import ActionRunner
    path = tmp_path / "case.txt"
    path.write_bytes(b"[scenario]\nactions=body\n\n[body]\ncommand=body\nchunk_file=gone.txt\n")
    scenario = load_scenario(path)
    runner = ActionRunner(SimpleNamespace(records=SimpleNamespace(headers=[])), None, None)
    with pytest.raises(ScenarioError, match="chunk_file"):
        runner.frames(scenario.actions[0])


@pytest.mark.parametrize("source", [
    'load("applic\\0able-conditions/*.conf")\n',
    'File.read("milter\\0manager.conf")\n',
])
def test_nul_in_a_path_is_ruby_argument_error(tmp_path: Path, source):
    # Found by fuzzing the configuration files: a NUL in a path reached
    # os.stat/open and came out as "internal error: ValueError: embedded
    # null byte". Ruby says ArgumentError "path name contains null byte".
    from milter_manager.config.errors import ConfigurationError
    from milter_manager.config.loader import ConfigurationLoader, LoadOptions
    main = tmp_path / "milter-manager.conf"
    main.write_text(source)
    main.chmod(0o644)
    loader = ConfigurationLoader(LoadOptions(
        config_dir=str(tmp_path), custom_directory=False, custom_xml=False,
        detector_root=str(tmp_path), env={}, log=lambda level, message: None))
    with pytest.raises(ConfigurationError) as error:
        loader.startup()
    assert str(error.value) == f"{main}:1: path name contains null byte (ArgumentError)"


def test_a_load_that_reassigned_milter_manager_leaves_later_loads_working(tmp_path: Path):
    # Found by fuzzing the configuration files: one file did
    # `Milter::Manager = "x"`; every later file of the same configuration then
    # failed with "internal error: AttributeError: 'RString' object has no
    # attribute 'consts'" (the loader looked its own modules up by name).
    # The loader keeps the modules it defined, as upstream's compiled code does.
    from milter_manager.config.loader import ConfigurationLoader, LoadOptions
    (tmp_path / "reassign.conf").write_text('Milter::Manager = "x"\n')
    (tmp_path / "after.conf").write_text(
        'define_milter("child") do |milter|\n'
        '  milter.connection_spec = "inet:10026@127.0.0.1"\n'
        '  milter.description = File.basename("/a/child.conf")\n'
        'end\n')
    main = tmp_path / "milter-manager.conf"
    main.write_text('load("reassign.conf")\nload("after.conf")\n')
    for path in tmp_path.iterdir():
        path.chmod(0o644)
    loader = ConfigurationLoader(LoadOptions(
        config_dir=str(tmp_path), custom_directory=False, custom_xml=False,
        detector_root=str(tmp_path), env={}, log=lambda level, message: None))
    config = loader.startup()
    assert [(egg.name, egg.description) for egg in config.eggs] == [("child", "child.conf")]
