"""Settings sections of a Configuration (config.md §3, §6–§8): build
defaults, the item tables with their converters and location rules, and the
`package`, `security`, `log`, `manager`, `controller`, `database` sections."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
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
    Symbol,
    invalid_choice,
    rinspect,
    to_bool,
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
