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
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from milter_manager.config import log_level
from milter_manager.config.connection_spec import (
    ConnectionSpec,
    ConnectionSpecError,
    parse_connection_spec,
)
from milter_manager.config.errors import CONFIGURATION_ERROR, ConfigValueError
from milter_manager.config.locations import Key, LocationTable, Site
from milter_manager.config.values import (
    EVENT_LOOP_BACKENDS,
    FALLBACK_STATUSES,
    STATUS_NICKS,
    UINT_MAX,
    Opaque,
    Symbol,
    invalid_choice,
    rinspect,
    to_bool,
    to_seconds,
    to_status,
    to_string,
    to_uint,
    truthy,
)

# --- build defaults (§3) --------------------------------------------------------

CONFIG_DIR = "/etc/milter-manager"
DEFAULT_PROFILE = "upstream"


@dataclass(frozen=True)
class BuildDefaults:
    profile: str = DEFAULT_PROFILE
    platform: str | None = "debian"
    options: str | None = None
    manager_connection_spec: str = "unix:/run/milter-manager/milter-manager.sock"
    effective_user: str | None = None
    effective_group: str | None = None
    unix_socket_group: str | None = None
    pid_file: str | None = None
    config_dir: str = CONFIG_DIR


PROFILES = {
    "upstream": BuildDefaults(),
    "debian-package": BuildDefaults(
        profile="debian-package", effective_user="milter-manager",
        effective_group="mail", unix_socket_group="mail",
        pid_file="/run/milter-manager/milter-manager.pid"),
}


def build_defaults(profile: str | None = None) -> BuildDefaults:
    """The defaults of PROFILE (None or "" = the packaging default)."""
    name = profile or DEFAULT_PROFILE
    if name not in PROFILES:
        raise ConfigValueError(f"unknown defaults profile: {rinspect(name)}",
                               CONFIGURATION_ERROR)
    return PROFILES[name]


# --- converters -----------------------------------------------------------------

def _uint(minimum: int = 0, maximum: int = UINT_MAX, nil: int | None = None):
    def convert(key: str, value: Any) -> int:
        if value is None and nil is not None:
            return nil
        return to_uint(key, value, minimum, maximum)
    return convert


def _enum(allowed, target: str | None = None):
    def convert(key: str, value: Any) -> str:
        return to_status(target or key, value, allowed)
    return convert


def _exact_enum(allowed):
    def convert(key: str, value: Any) -> str:
        text = value.name if isinstance(value, Symbol) else value
        if not isinstance(text, str) or text not in allowed:
            raise invalid_choice(key, list(allowed), value)
        return text
    return convert


def _any(key: str, value: Any) -> Any:
    return value


def _connection_spec(key: str, value: Any) -> str | None:
    text = to_string(key, value)
    if text is not None:
        check_connection_spec(key, text)
    return text


def check_connection_spec(key: str, text: str) -> ConnectionSpec:
    try:
        return parse_connection_spec(text)
    except ConnectionSpecError as error:
        # [deviation] upstream logs a bare DETAIL; the port names the key.
        raise ConfigValueError(f"{key}: invalid connection spec: {error.detail}") from None


def _privilege_mode(key: str, value: Any) -> bool:
    if value is True or value == "true":
        return True
    if value is False or value == "false":
        return False
    raise invalid_choice(key, [True, False], value)


@dataclass(frozen=True)
class Item:
    """One setting: converter, default (a BuildDefaults attribute name or a
    value) and location rule ("always", "nil": reset by nil else recorded,
    "falsy": reset by a falsy value, "none": never recorded)."""
    name: str
    convert: Callable[[str, Any], Any]
    default: Any
    location: str = "nil"
    from_build: bool = False


def _build(name: str, attribute: str, convert, location: str = "nil") -> Item:
    return Item(name, convert, attribute, location, from_build=True)


SECURITY_ITEMS = (
    Item("privilege_mode", _privilege_mode, False, "always"),
    _build("effective_user", "effective_user", to_string),
    _build("effective_group", "effective_group", to_string),
)

MANAGER_ITEMS = (
    _build("connection_spec", "manager_connection_spec", _connection_spec),
    Item("unix_socket_mode", _uint(0, 0o777), 0o660, "always"),
    _build("unix_socket_group", "unix_socket_group", to_string),
    Item("remove_unix_socket_on_create", to_bool, True, "always"),
    Item("remove_unix_socket_on_close", to_bool, True, "always"),
    Item("daemon", to_bool, False, "always"),
    _build("pid_file", "pid_file", to_string),
    Item("maintenance_interval", _uint(nil=0), 10),
    Item("suspend_time_on_unacceptable", _uint(nil=5), 5),
    Item("max_connections", _uint(nil=0), 0),
    Item("max_file_descriptors", _uint(nil=0), 0),
    Item("custom_configuration_directory", to_string, None),
    Item("fallback_status", _enum(FALLBACK_STATUSES), "accept", "always"),
    Item("fallback_status_at_disconnect", _enum(STATUS_NICKS), "temporary-failure",
         "always"),
    Item("event_loop_backend", _exact_enum(EVENT_LOOP_BACKENDS), "glib", "always"),
    Item("n_workers", _uint(0, 1000, nil=0), 0),
    # [deviation] located under manager.packet_buffer_size (upstream: manager.size).
    Item("packet_buffer_size", _uint(nil=0), 0),
    Item("connection_check_interval", _uint(nil=0), 0),
    Item("chunk_size", _uint(1, 65535, nil=65535), 65535),
    Item("max_pending_finished_sessions", _uint(nil=0), 0),
)

CONTROLLER_ITEMS = (
    Item("connection_spec", _connection_spec, None),
    Item("unix_socket_mode", _uint(0, 0o777), 0o660, "always"),
    Item("unix_socket_group", to_string, None),
    # [deviation] independent of the manager's settings (upstream aliases them).
    Item("remove_unix_socket_on_create", to_bool, True, "always"),
    Item("remove_unix_socket_on_close", to_bool, True, "always"),
)

DATABASE_ITEMS = tuple(Item(name, _any, None) for name in
                       ("type", "name", "host", "port", "path", "user", "password"))


class Section:
    """A settings section: `section.NAME` reads, `section.set(NAME, value, site)`
    writes with conversion and the item's location rule."""

    ITEMS: tuple[Item, ...] = ()
    PREFIX = ""

    def __init__(self, locations: LocationTable, defaults: BuildDefaults) -> None:
        self._locations = locations
        self._items = {item.name: item for item in self.ITEMS}
        self._values: dict[str, Any] = {}
        for item in self.ITEMS:
            value = getattr(defaults, item.default) if item.from_build else item.default
            self._values[item.name] = value

    def __getattr__(self, name: str) -> Any:
        values = self.__dict__.get("_values")
        if values is not None and name in values:
            return values[name]
        raise AttributeError(name)

    def key(self, name: str) -> Key:
        return (self.PREFIX, name)

    def item_names(self) -> tuple[str, ...]:
        return tuple(item.name for item in self.ITEMS)

    def set(self, name: str, value: Any, site: Site | None) -> None:
        item = self._items[name]
        self._values[name] = item.convert(f"{self.PREFIX}.{name}", value)
        self._locate(item, value, site)

    def _locate(self, item: Item, value: Any, site: Site | None) -> None:
        key = self.key(item.name)
        rule = item.location
        if rule == "always":
            self._locations.record(key, site)
        elif rule == "nil":
            if value is None:
                self._locations.reset(key)
            else:
                self._locations.record(key, site)
        elif rule == "falsy":
            if truthy(value):
                self._locations.record(key, site)
            else:
                self._locations.reset(key)

    def override(self, name: str, value: Any) -> None:
        """A command-line override (§13): set the value, reset the location."""
        item = self._items[name]
        self._values[name] = item.convert(f"{self.PREFIX}.{name}", value)
        self._locations.reset(self.key(name))

    def copy_into(self, other: Section) -> None:
        other._values = dict(self._values)


class PackageSection(Section):
    PREFIX = "package"

    def __init__(self, locations: LocationTable, defaults: BuildDefaults) -> None:
        super().__init__(locations, defaults)
        self._values = {"platform": defaults.platform, "options": defaults.options}
        self._parsed_options: dict | None = None

    def item_names(self) -> tuple[str, ...]:
        return ("platform", "options")

    def set(self, name: str, value: Any, site: Site | None) -> None:
        # package.* never records a location (§6.1).
        if name == "platform":
            self._values["platform"] = to_string("package.platform", value)
        elif name == "options":
            self._values["options"] = self._options_text(value)
            self._parsed_options = None
        else:
            raise KeyError(name)

    @staticmethod
    def _options_text(value: Any) -> str | None:
        if value is None or isinstance(value, str):
            return value
        if isinstance(value, dict):
            value = list(value.items())
        if isinstance(value, list) and all(isinstance(p, (list, tuple)) and len(p) == 2
                                           for p in value):
            return ",".join(f"{k}={v}" for k, v in value)
        raise ConfigValueError(
            f"package.options should be a String, a Hash or nil but was {rinspect(value)}")

    def parsed_options(self) -> dict[str, str | None] | None:
        """`name=value,...` as a dict; value None without `=` (§6.1)."""
        import re
        text = self._values["options"]
        if text is None:
            return None
        if self._parsed_options is None:
            parsed: dict[str, str | None] = {}
            for part in re.split(r"\s*,\s*", text):
                name, *rest = re.split(r"\s*=\s*", part, maxsplit=1)
                parsed[name] = rest[0] if rest else None
            self._parsed_options = parsed
        return self._parsed_options


class SecuritySection(Section):
    PREFIX = "security"
    ITEMS = SECURITY_ITEMS


class LogSection(Section):
    PREFIX = "log"

    def __init__(self, locations: LocationTable, defaults: BuildDefaults,
                 baseline_level: int = 0, baseline_path: str | None = None) -> None:
        super().__init__(locations, defaults)
        self._values = {"level": baseline_level, "path": baseline_path,
                        "use_syslog": True, "syslog_facility": "mail"}

    def item_names(self) -> tuple[str, ...]:
        return ("level", "path", "use_syslog", "syslog_facility")

    @property
    def level_text(self) -> str:
        return log_level.format_level(self._values["level"])

    def set(self, name: str, value: Any, site: Site | None) -> None:
        key = self.key(name)
        if name == "level":
            text = value.name if isinstance(value, Symbol) else value
            if text is not None and not isinstance(text, str):
                raise ConfigValueError(
                    f"log.level should be a String or nil but was {rinspect(value)}")
            try:
                self._values["level"] = log_level.parse_level(text, self._values["level"])
            except log_level.LogLevelError as error:
                raise ConfigValueError(str(error)) from None
            # nil resets too: [deviation] upstream records a location for it.
            if log_level.is_default_expression(text):
                self._locations.reset(key)
            else:
                self._locations.record(key, site)
        elif name == "path":
            path = to_string("log.path", value)
            if path == "-":
                path = None
            if path is not None:
                check_log_path(path)
            self._values["path"] = path
            if path is None:
                self._locations.reset(key)
            else:
                self._locations.record(key, site)
        elif name == "use_syslog":
            self._values["use_syslog"] = to_bool("log.use_syslog", value)
            # Upstream quirk, kept: a falsy value resets the location.
            if truthy(value):
                self._locations.record(key, site)
            else:
                self._locations.reset(key)
        elif name == "syslog_facility":
            facility = to_string("log.syslog_facility", value)
            if facility is not None and facility.lower() not in SYSLOG_FACILITIES:
                # [deviation] upstream silently uses `mail`.
                raise invalid_choice("log.syslog_facility", list(SYSLOG_FACILITIES), value)
            self._values["syslog_facility"] = facility
            if facility == "mail":
                self._locations.reset(key)
            else:
                self._locations.record(key, site)
        else:
            raise KeyError(name)


SYSLOG_FACILITIES = (
    "authpriv", "auth", "cron", "daemon", "ftp", "kern", "local0", "local1",
    "local2", "local3", "local4", "local5", "local6", "local7", "lpr", "mail",
    "news", "user", "uucp",
)


def check_log_path(path: str) -> None:
    """Open PATH for appending as the logger will (cli.md §13.4)."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o666)
    except OSError as error:
        raise ConfigValueError(
            f"failed to set log output path: <{path}>: {error.strerror}",
            CONFIGURATION_ERROR) from None
    os.close(fd)


class ManagerSection(Section):
    PREFIX = "manager"
    ITEMS = MANAGER_ITEMS

    @property
    def parsed_connection_spec(self) -> ConnectionSpec | None:
        spec = self._values["connection_spec"]
        return None if spec is None else parse_connection_spec(spec)


class ControllerSection(Section):
    PREFIX = "controller"
    ITEMS = CONTROLLER_ITEMS

    @property
    def parsed_connection_spec(self) -> ConnectionSpec | None:
        spec = self._values["connection_spec"]
        return None if spec is None else parse_connection_spec(spec)


class DatabaseSection(Section):
    """Values are stored as given (any Ruby value); the DSL stores alongside
    each its `inspect` text (`inspects`), which the dump prints (§8.4)."""
    PREFIX = "database"
    ITEMS = DATABASE_ITEMS

    def __init__(self, locations: LocationTable, defaults: BuildDefaults) -> None:
        super().__init__(locations, defaults)
        self.inspects: dict[str, str] = {}
        self.extra_options: Any = {}

    def set(self, name: str, value: Any, site: Site | None,
            inspect: str | None = None) -> None:
        if name == "extra_options":
            self.extra_options = {} if value is None else value
            if not value:
                self._locations.reset(self.key(name))
            else:
                self._locations.record(self.key(name), site)
            return
        super().set(name, value, site)
        self.inspects[name] = inspect if inspect is not None else rinspect(value)

    def inspect_of(self, name: str) -> str:
        return self.inspects.get(name, rinspect(self._values[name]))

    def copy_into(self, other: Section) -> None:
        super().copy_into(other)
        assert isinstance(other, DatabaseSection)
        other.inspects = dict(self.inspects)
        other.extra_options = self.extra_options

    def reset(self) -> None:
        """`configuration.clear`: values back to nil (locations stay, §5.1)."""
        for name in self._values:
            self._values[name] = None
        self.inspects = {}
        self.extra_options = {}


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
