"""Fuzz target: the scenario key-file reader and the scenario model on top.

Seeds are the scenario files of upstream's corpus (`leader/`, `children/`,
`manager/`). Each case mutates one (byte edits plus the characters the
GLib key-file rules care about: `[`, `]`, `=`, `;`, `\\`, escapes, `#`,
locale suffixes, CR) and writes it next to a copy of the files it may
import, then reads it the way the harness does (scenarios.md §3, §4):
`KeyFile.parse`, every typed getter on every key, `load_scenario`, and for
each action its frames and every expectation key the runner reads.

What must hold: the reader and the model either work or raise their own
errors (`KeyFileError`, `ScenarioError`, the `ProtocolError` of a value the
codec refuses); nothing else escapes.
"""

from __future__ import annotations

import atexit
import random
import shutil
from pathlib import Path
from types import SimpleNamespace

from milter_manager.protocol import ProtocolError
from milter_manager.testing.harness.actions import ActionRunner
from milter_manager.testing.harness.keyfile import KeyFile, KeyFileError
from milter_manager.testing.harness.scenario import ScenarioError, load_scenario

from .common import UPSTREAM, Violation, mutate_bytes, scratch_directory

ATOMS = [atom.encode() for atom in [
    "[", "]", "=", ";", "\\", "\\s", "\\n", "\\t", "\\r", "\\\\", "\\;", "\\x", "#", "\n",
    "\r\n", " ", "[scenario]\n", "[client10026]\n", "import=", "actions=", "clients=",
    "command=", "response=", "status=", "n_received=", "option=", "macro=", "header=",
    "headers=", "chunk_file=", "chunk=", "version=", "action=", "step=", "error_domain=",
    "[en]", "[C]", "=true", "=false", "=-1", "=0x10", "=99999999999999999999", ";;",
    "NULL", "\0", "\u00e9", "add-headers|change-body", "no-connect|", "reject",
]] + [b"\xff", b"\xc3"]

#: The typed readers of an action (scenarios.md §3.3); every key of a
#: mutated action is read with each of them, as any could be the runner's.
READERS = ("string", "bytes", "list", "integer", "status", "nullable_list", "pair_list",
           "option_list", "header_list")


def seed_files() -> list[Path]:
    root = UPSTREAM / "test" / "fixtures"
    found = sorted(path for name in ("leader", "children", "manager")
                   for path in (root / name).glob("*.txt"))
    if not found:
        raise RuntimeError(f"no scenario files under {root}")
    return found


class KeyFileBench:
    def __init__(self) -> None:
        self.seeds = [(path, path.read_bytes()) for path in seed_files()]
        self.directory = Path(scratch_directory("mm-fuzz-keyfile-"))
        atexit.register(shutil.rmtree, self.directory, ignore_errors=True)
        # Imports and chunk_file are relative to the file: give the mutated
        # file the same neighbours as its seed.
        for path, _ in self.seeds:
            target = self.directory / path.parent.name
            if not target.exists():
                shutil.copytree(path.parent, target)
        self.mta = SimpleNamespace(records=SimpleNamespace(headers=[]))

    def run_case(self, rng: random.Random) -> None:
        path, data = rng.choice(self.seeds)
        data = mutate_bytes(rng, data, ATOMS, max_mutations=6)
        target = self.directory / path.parent.name / "fuzz-case.txt"
        target.write_bytes(data)
        try:
            self._read(target, data)
        except (KeyFileError, ScenarioError, ProtocolError):
            pass
        except Exception as error:
            raise Violation(f"{path.name}: {type(error).__name__}: {error}") from error

    def _read(self, target: Path, data: bytes) -> None:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = None
        if text is not None:
            keys = KeyFile.parse(text, str(target))
            for group in keys.groups():
                for key in keys.keys(group):
                    for getter in (keys.get_string, keys.get_string_list, keys.get_integer,
                                   keys.get_boolean):
                        try:
                            getter(group, key)
                        except KeyFileError:
                            pass
                    try:
                        keys.get_locale_string(group, key, "C")
                    except KeyFileError:
                        pass
        scenario = load_scenario(target)
        runner = ActionRunner(self.mta, None, None)
        for action in scenario.actions:
            reads = [lambda a=action: runner.frames(a), action.actions_flags,
                     action.steps_flags]
            for key in action.keys.keys(action.group):
                reads += [lambda a=action, k=key, m=method: getattr(a, m)(k)
                          for method in READERS]
                reads.append(lambda a=action, k=key: a.localized(k, "C"))
            for read in reads:
                try:
                    read()
                except (KeyFileError, ScenarioError, ProtocolError):
                    pass
        scenario.config_group()

    def close(self) -> None:
        shutil.rmtree(self.directory, ignore_errors=True)


_bench: KeyFileBench | None = None


def run_case(rng: random.Random) -> None:
    global _bench
    if _bench is None:
        _bench = KeyFileBench()
    _bench.run_case(rng)


__all__ = ["KeyFileBench", "run_case"]
