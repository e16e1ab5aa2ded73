"""Scenario files: imports, clients, actions and the typed values of their keys (scenarios.md §2–§4, §11).

    scenario = load_scenario("../shared/upstream/test/fixtures/leader/body.txt")
    scenario.kind            # "leader", "children" or "manager" (§11)
    scenario.actions         # the import chain's actions, then the file's own
    scenario.clients         # [ClientSpec("client10026", 10026, [...], True), ...]

Values are kept as bytes where they meet the wire (headers, chunks, addresses)
and compared as bytes, so sorting is byte order as §3.3 asks.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from milter_manager.protocol.errors import ProtocolError
from milter_manager.protocol.flags import parse_actions, parse_steps
from milter_manager.protocol.status import Status

from .keyfile import KeyFile, KeyFileError, parse_integer

SCENARIO = "scenario"

#: §4.3: the commands an action group may name.
COMMANDS = (
    "negotiate", "connect", "helo", "envelope-from", "envelope-recipient", "data", "header",
    "end-of-header", "body", "end-of-message", "quit", "abort", "unknown",
)

#: A value that may be NULL ("this client got nothing").
Nullable = bytes | None
Pair = tuple[Nullable, Nullable]
Option = tuple[int, int, int]


class ScenarioError(Exception):
    """The scenario cannot be loaded or has a value of the wrong shape."""


# --- typed values (§3.3) -------------------------------------------------------------

def _bytes(text: str) -> bytes:
    return text.encode("utf-8", "surrogateescape")


def nullable_list(items: list[str]) -> list[Nullable]:
    """Each empty item becomes NULL."""
    return [_bytes(item) if item else None for item in items]


def pair_list(items: list[str]) -> list[Pair]:
    """Items two at a time; an empty item is NULL; an odd count leaves the last value NULL."""
    values = nullable_list(items)
    if len(values) % 2:
        values.append(None)
    return [(values[i], values[i + 1]) for i in range(0, len(values), 2)]


def _null_first(value: Nullable) -> tuple[int, bytes]:
    return (0, b"") if value is None else (1, value)


def sorted_pairs(pairs: list[Pair]) -> list[Pair]:
    """By name, then value; byte order; NULL before any string (§3.3)."""
    return sorted(pairs, key=lambda pair: (_null_first(pair[0]), _null_first(pair[1])))


def sorted_strings(values: list[Nullable]) -> list[Nullable]:
    return sorted(values, key=_null_first)


def option_list(items: list[str], where: str) -> list[Option | None]:
    """Triples (version, actions, steps); an empty version is NULL and ends its triple (§3.3)."""
    options: list[Option | None] = []
    i = 0
    while i < len(items):
        if not items[i]:
            options.append(None)  # the other two items of this triple are not read
            i += 3
            continue
        # A final `;` ends the last item (§3.2), so `6;add-headers;` has no third
        # item: a missing flags item is the empty flag set.
        actions, steps = (items[i + 1:i + 3] + ["", ""])[:2]
        try:
            options.append((parse_integer(items[i], where), parse_actions(actions),
                            parse_steps(steps)))
        except (KeyFileError, ProtocolError) as error:
            raise ScenarioError(f"{where}: {error}") from None
        i += 3
    return options


def header_list(items: list[str]) -> list[Pair]:
    """Each item split at its first `:`; without `:` the value is NULL (§3.3)."""
    headers: list[Pair] = []
    for item in items:
        name, colon, value = item.partition(":")
        headers.append((_bytes(name), _bytes(value) if colon else None))
    return headers


def show(value: object) -> str:
    """A value for a failure message: NULL, text, or nested lists of them."""
    if value is None:
        return "NULL"
    if isinstance(value, bytes):
        return repr(value.decode("utf-8", "backslashreplace"))
    if isinstance(value, Status):
        return value.nick
    if isinstance(value, tuple):
        return "(" + ", ".join(show(item) for item in value) + ")"
    if isinstance(value, list):
        return "[" + ", ".join(show(item) for item in value) + "]"
    return repr(value)


# --- files ----------------------------------------------------------------------------

@dataclass
class ClientSpec:
    """A `[clientNAME]` group (§4.2)."""

    name: str
    port: int
    arguments: list[str]
    run: bool = True


class ScenarioFile:
    """One key file and the files it imports (loaded recursively, §4.1)."""

    def __init__(self, path: Path, keys: KeyFile, imports: list[ScenarioFile]) -> None:
        self.path = path
        self.keys = keys
        self.imports = imports

    @property
    def name(self) -> str:
        return self.path.stem

    def action_groups(self) -> list[str]:
        if not self.keys.has_key(SCENARIO, "actions"):
            return []
        return self.keys.get_string_list(SCENARIO, "actions")

    def all_actions(self) -> list[tuple[ScenarioFile, str]]:
        """Imports' actions (depth first, in import order), then this file's."""
        actions: list[tuple[ScenarioFile, str]] = []
        for imported in self.imports:
            actions += imported.all_actions()
        actions += [(self, group) for group in self.action_groups()]
        return actions


def load_file(path: Path, chain: tuple[Path, ...] = ()) -> ScenarioFile:
    try:
        path = path.resolve()
    except (OSError, ValueError) as error:
        # e.g. a NUL in an import name (found by fuzzing: it escaped the runner)
        raise ScenarioError(f"{path}: {error}") from None
    if path in chain:
        cycle = " -> ".join(p.name for p in (*chain, path))
        raise ScenarioError(f"import cycle: {cycle}")
    try:
        keys = KeyFile.load(path)
    except OSError as error:
        raise ScenarioError(f"{path}: {error.strerror}") from None
    except KeyFileError as error:
        raise ScenarioError(str(error)) from None
    if not keys.has_group(SCENARIO):
        raise ScenarioError(f"{path}: no [{SCENARIO}] group")
    imports = []
    if keys.has_key(SCENARIO, "import"):
        try:
            names = keys.get_string_list(SCENARIO, "import")
        except KeyFileError as error:
            raise ScenarioError(str(error)) from None
        # §2: names are relative to the directory of the file that names them.
        imports = [load_file(path.parent / name, (*chain, path)) for name in names]
    return ScenarioFile(path, keys, imports)


# --- the scenario -----------------------------------------------------------------------

class Action:
    """One action group as it runs: its own keys, with the main file's overrides (§4.1)."""

    def __init__(self, owner: ScenarioFile, group: str, main: ScenarioFile) -> None:
        self.owner = owner
        self.group = group
        self.main = main
        if not owner.keys.has_group(group):
            raise ScenarioError(f"{owner.path.name}: no action group [{group}]")
        self.command = ""  # read before any override can apply
        self.command = self.string("command")
        if self.command not in COMMANDS:
            raise ScenarioError(f"{owner.path.name}: [{group}] unknown command "
                                f"{self.command!r}")

    @property
    def keys(self) -> KeyFile:
        return self.owner.keys

    def _main_has(self, key: str) -> bool:
        return self.main.keys.has_key(self.group, key)

    def _source(self, key: str) -> KeyFile:
        """§4.1: for an imported negotiate, the main file's same-named group wins."""
        if (self.command == "negotiate" and key in ("version", "action", "step", "options")
                and self._main_has(key)):
            return self.main.keys
        return self.keys

    def where(self, key: str) -> str:
        return f"{self.owner.path.name}: [{self.group}] {key}"

    def has(self, key: str) -> bool:
        if key == "option" and self.command == "negotiate":
            return self._main_has(key)  # §5.3: checked only if the main file has it
        return self._source(key).has_key(self.group, key)

    def _get(self, getter: str, key: str) -> object:
        source = self.main.keys if key == "option" else self._source(key)
        try:
            return getattr(source, getter)(self.group, key)
        except KeyFileError as error:
            raise ScenarioError(str(error)) from None

    def string(self, key: str) -> str:
        return self._get("get_string", key)  # type: ignore[return-value]

    def string_or(self, key: str, default: str | None) -> str | None:
        return self.string(key) if self.has(key) else default

    def bytes(self, key: str) -> bytes:
        return _bytes(self.string(key))

    def list(self, key: str) -> list[str]:
        """The raw string list; a missing key is the empty list (§5.3)."""
        if not self.has(key):
            return []
        return self._get("get_string_list", key)  # type: ignore[return-value]

    def integer(self, key: str) -> int:
        return self._get("get_integer", key)  # type: ignore[return-value]

    def localized(self, key: str, locale: str) -> str:
        try:
            return self.keys.get_locale_string(self.group, key, locale)
        except KeyFileError as error:
            raise ScenarioError(str(error)) from None

    def status(self, key: str = "status") -> Status:
        nick = self.string(key)
        try:
            return Status.from_nick(nick)
        except Exception:  # noqa: BLE001 - ProtocolError: an unknown nick
            raise ScenarioError(f"{self.where(key)}: unknown status {nick!r}") from None

    def nullable_list(self, key: str) -> list[Nullable]:
        return nullable_list(self.list(key))

    def pair_list(self, key: str) -> list[Pair]:
        return pair_list(self.list(key))

    def option_list(self, key: str) -> list[Option | None]:
        return option_list(self.list(key), self.where(key))

    def header_list(self, key: str) -> list[Pair]:
        return header_list(self.list(key))

    def flags(self, key: str, parse: object) -> int:
        try:
            return parse(self.string(key))  # type: ignore[operator,no-any-return]
        except ScenarioError:
            raise
        except Exception as error:  # noqa: BLE001 - ProtocolError: unknown nick
            raise ScenarioError(f"{self.where(key)}: {error}") from None

    def actions_flags(self) -> int:
        return self.flags("action", parse_actions)

    def steps_flags(self) -> int:
        return self.flags("step", parse_steps)


class Scenario:
    """A main scenario file with its imports, ready to run."""

    def __init__(self, main: ScenarioFile) -> None:
        self.main = main
        self.path = main.path
        self.name = main.path.stem
        keys = main.keys
        self.omit = keys.get_string(SCENARIO, "omit") if keys.has_key(SCENARIO, "omit") else None
        self.expected = (keys.get_string(SCENARIO, "expected")
                         if keys.has_key(SCENARIO, "expected") else None)
        self.configuration = (keys.get_string(SCENARIO, "configuration")
                              if keys.has_key(SCENARIO, "configuration") else None)
        self.has_actions = keys.has_key(SCENARIO, "actions")
        self.actions = [Action(owner, group, main) for owner, group in main.all_actions()]
        self.clients = [self._client(name) for name in self._client_names()]
        self.kind = self._kind()

    def _client_names(self) -> list[str]:
        keys = self.main.keys
        if not keys.has_key(SCENARIO, "clients"):
            return []
        return keys.get_string_list(SCENARIO, "clients")

    def _client(self, name: str) -> ClientSpec:
        keys = self.main.keys
        if not keys.has_group(name):
            raise ScenarioError(f"{self.path.name}: no client group [{name}]")
        arguments = (keys.get_string_list(name, "arguments")
                     if keys.has_key(name, "arguments") else [])
        run = keys.get_boolean(name, "run") if keys.has_key(name, "run") else True
        return ClientSpec(name, keys.get_integer(name, "port"), arguments, run)

    def _kind(self) -> str:
        """§11: `expected` → manager set; `n_emitted` in any action → children set."""
        if self.expected is not None:
            return "manager"
        if any(action.keys.has_key(action.group, "n_emitted") for action in self.actions):
            return "children"
        return "leader"

    def config_group(self) -> dict[str, str]:
        """The `[config]` group of a children/ file (§11.1), raw values."""
        keys = self.main.keys
        return {key: keys.get_string("config", key) for key in keys.keys("config")}


def load_scenario(path: str | Path) -> Scenario:
    """Load a scenario file and everything it imports; ScenarioError if it cannot run."""
    try:
        return Scenario(load_file(Path(path)))
    except KeyFileError as error:
        raise ScenarioError(str(error)) from None


def scenario_root(path: Path, default: Path | None = None) -> Path | None:
    """§2: a file in `X/test/fixtures/<set>/` has `X` as its ROOT.

    A file elsewhere (a scenario of one's own) uses `default`, the shared tree.
    """
    parents = path.resolve().parents
    if len(parents) > 3 and parents[1].name == "fixtures" and parents[2].name == "test":
        return parents[3]
    return default
