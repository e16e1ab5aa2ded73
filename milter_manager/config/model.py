"""The configuration object model (config.md §3, §5–§10, §12).

A `Configuration` is built fresh by every load cycle and never changed after
it was committed; the runtime reads it:

* `config.package`, `.security`, `.log`, `.manager`, `.controller`,
  `.database`: sections; read an item as an attribute (`config.manager.n_workers`);
* `config.eggs`: the milters in order, each an `Egg` with plain attributes and
  `applicable_conditions` (a list of `ApplicableCondition` objects);
* `config.connection_checkers`, `config.maintained_hooks`,
  `config.event_loop_created_hooks`: callables registered by the files.

Every setter takes the value as a *plain* value (`values.py`) and the call
site (`Site` or None) and applies the location rule of its item.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from milter_manager.config.connection_spec import (
    ConnectionSpec,
)
from milter_manager.config.errors import ConfigValueError
from milter_manager.config.locations import Key, LocationTable, Site
from milter_manager.config.sections import (
    BuildDefaults,
    ControllerSection,
    DatabaseSection,
    LogSection,
    ManagerSection,
    PackageSection,
    Section,
    SecuritySection,
    build_defaults,
    check_connection_spec,
)
from milter_manager.config.values import (
    FALLBACK_STATUSES,
    Opaque,
    Symbol,
    invalid_choice,
    rinspect,
    to_bool,
    to_seconds,
    to_status,
    to_string,
)

# --- milters and conditions ------------------------------------------------------

STOPPER_STAGES = (
    "connect", "helo", "envelope_from", "envelope_recipient", "data", "header",
    "end_of_header", "body", "end_of_message",
)


@dataclass(eq=False)
class ApplicableCondition:
    """A named condition: stoppers per stage (§10). `stoppers[stage]` holds
    callables in definition order (Ruby procs, or native callables)."""
    name: str
    description: str | None = None
    data: str | None = None
    stoppers: dict[str, list[Any]] = field(default_factory=dict)
    have_stopper: bool = False

    def stoppers_for(self, stage: str) -> list[Any]:
        return self.stoppers.get(stage, [])

    def add_stopper(self, stage: str, stopper: Any) -> None:
        if stage not in STOPPER_STAGES:
            raise ValueError(stage)
        self.stoppers.setdefault(stage, []).append(stopper)
        self.have_stopper = True

    def ruby_inspect(self) -> str:
        return "#<Milter::Manager::ApplicableCondition>"


EGG_DEFAULTS = {
    "connection_spec": None,
    "description": None,
    "enabled": True,
    "fallback_status": "accept",
    "evaluation_mode": False,
    "command": None,
    "command_options": None,
    "user_name": None,
    "connection_timeout": 297.0,     # upstream: 300 - 3 seconds
    "writing_timeout": 7.0,          # upstream: 10 - 3 seconds
    "reading_timeout": 7.0,
    "end_of_message_timeout": 297.0,
}
TIMEOUTS = ("connection_timeout", "writing_timeout", "reading_timeout",
            "end_of_message_timeout")


@dataclass(eq=False)
class Egg:
    """A child milter's settings (§9)."""
    name: str
    connection_spec: str | None = None
    description: str | None = None
    enabled: bool = True
    fallback_status: str = "accept"
    evaluation_mode: bool = False
    applicable_conditions: list[ApplicableCondition] = field(default_factory=list)
    command: str | None = None
    command_options: str | None = None
    user_name: str | None = None
    connection_timeout: float = 297.0
    writing_timeout: float = 7.0
    reading_timeout: float = 7.0
    end_of_message_timeout: float = 297.0
    parsed_connection_spec: ConnectionSpec | None = None

    def copy(self) -> Egg:
        twin = copy.copy(self)
        twin.applicable_conditions = list(self.applicable_conditions)
        return twin

    def ruby_inspect(self) -> str:
        return "#<Milter::Manager::Egg>"


def _to_s(value: Any) -> str:
    """`to_s` of a plain value (for command_options elements)."""
    from milter_manager.ruby.text import float_to_s
    if value is None:
        return ""
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, float):
        return float_to_s(value)
    if isinstance(value, Symbol):
        return value.name
    if isinstance(value, Opaque):
        return value.inspect
    if isinstance(value, list):
        return rinspect(value)
    return str(value)


def set_egg_item(locations: LocationTable, egg: Egg, name: str, value: Any,
                 site: Site | None) -> None:
    """`milter.NAME = value` (§9.3)."""
    key: Key = ("milter", egg.name, name)
    if name == "connection_spec":
        text = to_string("milter.connection_spec", value)
        parsed = None
        if text is not None:
            parsed = check_connection_spec(f"milter[{egg.name}].connection_spec", text)
        egg.connection_spec, egg.parsed_connection_spec = text, parsed
        _locate_nil(locations, key, value, site)
    elif name in ("description", "command", "user_name"):
        setattr(egg, name, to_string(f"milter.{name}", value))
        _locate_nil(locations, key, value, site)
    elif name in ("enabled", "evaluation_mode"):
        setattr(egg, name, to_bool(f"milter.{name}", value))
        _locate_nil(locations, key, value, site)
    elif name == "fallback_status":
        egg.fallback_status = to_status("milter.fallback_status", value, FALLBACK_STATUSES)
        locations.record(key, site)
    elif name == "command_options":
        if isinstance(value, list):
            from milter_manager.ruby.text import shell_escape
            options: str | None = " ".join(shell_escape(_to_s(v)) for v in value)
        elif value is None or isinstance(value, str):
            # [deviation] nil is "unset" (upstream: fatal NoMethodError).
            options = value
        else:
            raise ConfigValueError(
                "milter.command_options should be a String, an Array or nil "
                f"but was {rinspect(value)}")
        egg.command_options = options
        if options in (None, ""):
            locations.reset(key)
        else:
            locations.record(key, site)
    elif name in TIMEOUTS:
        setattr(egg, name, to_seconds(f"milter.{name}", value))
        locations.record(key, site)
    else:
        raise KeyError(name)


def _locate_nil(locations: LocationTable, key: Key, value: Any, site: Site | None) -> None:
    if value is None:
        locations.reset(key)
    else:
        locations.record(key, site)


class Configuration:
    """One complete configuration (the result of a load cycle)."""

    def __init__(self, defaults: BuildDefaults | None = None,
                 baseline_level: int = 0, baseline_path: str | None = None) -> None:
        self.defaults = defaults or build_defaults()
        self.locations = LocationTable()
        self.package = PackageSection(self.locations, self.defaults)
        self.security = SecuritySection(self.locations, self.defaults)
        self.log = LogSection(self.locations, self.defaults, baseline_level, baseline_path)
        self.manager = ManagerSection(self.locations, self.defaults)
        self.controller = ControllerSection(self.locations, self.defaults)
        self.database = DatabaseSection(self.locations, self.defaults)
        self.eggs: list[Egg] = []
        self.applicable_conditions: list[ApplicableCondition] = []
        self.load_paths: list[str] = []
        # Registered by the files (§8.2); callables owned by the interpreter.
        self.connection_checkers: dict[str, Any] = {}
        self.maintained_hooks: list[Any] = []
        self.event_loop_created_hooks: list[Any] = []
        self.netstat_connection_checker: Any = None
        # The interpreter that owns the Ruby objects above (stoppers, hooks).
        self.interpreter: Any = None
        # The XML custom file loaded in this cycle, if any (§15).
        self.custom_configuration_file: str | None = None
        # Where library log messages go (the loader's sink, then the runtime's).
        self.log_sink: Any = None

    @property
    def sections(self) -> tuple[Section, ...]:
        return (self.package, self.security, self.log, self.manager, self.controller,
                self.database)

    # --- milters ---------------------------------------------------------------

    def find_egg(self, name: str) -> Egg | None:
        for egg in self.eggs:
            if egg.name == name:
                return egg
        return None

    def begin_egg(self, name: str, site: Site | None) -> Egg:
        """Steps 1–2 of §9.1: record the location, start from a complete copy
        of an existing milter (or the defaults). Commit with `commit_egg`."""
        self.locations.record(("milter", name), site)
        existing = self.find_egg(name)
        # [deviation] every attribute is copied (upstream drops some).
        return existing.copy() if existing is not None else Egg(name=name)

    def commit_egg(self, egg: Egg) -> None:
        """Step 4 of §9.1: the (re)defined milter moves to the end."""
        self.eggs = [e for e in self.eggs if e.name != egg.name]
        self.eggs.append(egg)

    def remove_egg(self, name: str) -> None:
        self.eggs = [e for e in self.eggs if e.name != name]
        # [deviation] stale locations are dropped too.
        self.locations.remove_milter(name)

    def set_egg(self, egg: Egg, name: str, value: Any, site: Site | None) -> None:
        set_egg_item(self.locations, egg, name, value, site)

    def _lookup_conditions(self, names: list[Any], argument: Any) -> list[ApplicableCondition]:
        found = []
        for name in names:
            if isinstance(name, ApplicableCondition):
                found.append(name)
                continue
            text = name.name if isinstance(name, Symbol) else name
            condition = (self.find_applicable_condition(text)
                         if isinstance(text, str) else None)
            if condition is None:
                available = [c.name for c in self.applicable_conditions]
                raise invalid_choice("applicable condition", available, argument)
            found.append(condition)
        return found

    def set_egg_conditions(self, egg: Egg, value: Any) -> None:
        """`milter.applicable_conditions = [...]` (§9.3): no location recorded,
        the old conditions' locations are reset."""
        if value is None:
            value = []
        if not isinstance(value, list):
            raise ConfigValueError(
                f"milter.applicable_conditions should be an Array but was {rinspect(value)}")
        conditions = self._lookup_conditions(value, value)
        for old in egg.applicable_conditions:
            self.locations.reset(("milter", egg.name, "applicable_condition", old.name))
        egg.applicable_conditions = conditions

    def add_egg_condition(self, egg: Egg, name: Any, site: Site | None) -> None:
        (condition,) = self._lookup_conditions([name], name)
        egg.applicable_conditions.append(condition)
        self.locations.record(("milter", egg.name, "applicable_condition", condition.name),
                              site)

    # --- applicable conditions --------------------------------------------------

    def find_applicable_condition(self, name: str) -> ApplicableCondition | None:
        for condition in self.applicable_conditions:
            if condition.name == name:
                return condition
        return None

    def begin_condition(self, name: str, site: Site | None) -> ApplicableCondition:
        """§10.1 steps 1–2: a new condition, copying description and data."""
        self.locations.record(("applicable_condition", name), site)
        condition = ApplicableCondition(name=name)
        existing = self.find_applicable_condition(name)
        if existing is not None:
            condition.description = existing.description
            condition.data = existing.data
        return condition

    def commit_condition(self, condition: ApplicableCondition) -> None:
        self.applicable_conditions = [c for c in self.applicable_conditions
                                      if c.name != condition.name]
        self.applicable_conditions.append(condition)

    def set_condition_description(self, condition: ApplicableCondition, value: Any,
                                  site: Site | None) -> None:
        condition.description = to_string("condition.description", value)
        _locate_nil(self.locations, ("applicable_condition", condition.name, "description"),
                    value, site)

    # --- other ------------------------------------------------------------------

    def clear(self) -> None:
        """`configuration.clear` (§5.1)."""
        self.maintained_hooks = []
        self.event_loop_created_hooks = []
        self.netstat_connection_checker = None
        self.database.reset()

    def apply_non_root_rule(self, uid: int) -> None:
        """§1 step 4: a non-root process runs without privilege mode (location kept)."""
        if uid != 0:
            self.security._values["privilege_mode"] = False
