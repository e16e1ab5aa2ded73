"""What the runtime reads from a configuration, taken once per session.

A session reads its settings from the configuration that was current when it
started (a reload affects new sessions only). `ManagerSettings.of` and
`EggSettings.of` accept the configuration layer's objects
(`milter_manager.config.model.Configuration`, `Egg`) or any object with the
same attribute names, so tests can drive the manager with a small stand-in.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from milter_manager.protocol import ProtocolError, Status

FALLBACK_STATUSES = ("accept", "reject", "temporary-failure", "discard")


def status_of(value: Any, default: Status) -> Status:
    """A status nick (`"temporary-failure"`, `"temporary_failure"`), a
    `Status`, or an object with `nick`, as a `Status`."""
    if value is None:
        return default
    if isinstance(value, Status):
        return value
    nick = getattr(value, "nick", value)
    if callable(nick):
        nick = nick()
    try:
        return Status.from_nick(str(nick).lower().replace("_", "-"))
    except ProtocolError:
        return default


@dataclass(frozen=True, slots=True)
class EggSettings:
    """One milter (egg) as the runtime uses it (config.md §9.3)."""

    name: str
    connection_spec: str | None
    enabled: bool = True
    fallback_status: Status = Status.ACCEPT
    evaluation_mode: bool = False
    connection_timeout: float = 297.0
    writing_timeout: float = 7.0
    reading_timeout: float = 7.0
    end_of_message_timeout: float = 297.0
    command: str | None = None
    command_options: str | None = None
    user_name: str | None = None
    #: condition objects in the milter's order (config.md §9.2); each has
    #: `stoppers_for(stage)` (or a `stoppers` dict) of callables.
    applicable_conditions: tuple[Any, ...] = ()
    #: the configuration's parsed spec (config.md §8.5), when available.
    parsed_connection_spec: Any = None
    #: the configuration layer's own egg (its runtime API takes it)
    source: Any = None

    @classmethod
    def of(cls, egg: Any) -> EggSettings:
        if isinstance(egg, EggSettings):
            return egg
        get = getattr
        return cls(
            name=str(get(egg, "name")),
            connection_spec=get(egg, "connection_spec", None),
            enabled=bool(get(egg, "enabled", True)),
            fallback_status=status_of(get(egg, "fallback_status", None), Status.ACCEPT),
            evaluation_mode=bool(get(egg, "evaluation_mode", False)),
            connection_timeout=float(get(egg, "connection_timeout", 297.0)),
            writing_timeout=float(get(egg, "writing_timeout", 7.0)),
            reading_timeout=float(get(egg, "reading_timeout", 7.0)),
            end_of_message_timeout=float(get(egg, "end_of_message_timeout", 297.0)),
            command=get(egg, "command", None),
            command_options=get(egg, "command_options", None),
            user_name=get(egg, "user_name", None),
            applicable_conditions=tuple(get(egg, "applicable_conditions", None) or ()),
            parsed_connection_spec=get(egg, "parsed_connection_spec", None),
            source=egg,
        )


@dataclass(frozen=True, slots=True)
class ManagerSettings:
    """The `manager.*` items a session uses (config.md §8.2, manager.md §15)."""

    fallback_status: Status = Status.ACCEPT
    fallback_status_at_disconnect: Status = Status.TEMPORARY_FAILURE
    chunk_size: int = 65535
    packet_buffer_size: int = 0
    max_connections: int = 0
    suspend_time_on_unacceptable: float = 5.0
    maintenance_interval: int = 10
    max_pending_finished_sessions: int = 0
    connection_check_interval: float = 0.0
    privilege_mode: bool = False
    eggs: tuple[EggSettings, ...] = field(default_factory=tuple)
    #: the configuration these settings come from (its Ruby code runs the
    #: stoppers and hooks); None for a plain stand-in
    configuration: Any = None

    @property
    def interpreted(self) -> bool:
        """True when stoppers/hooks are the configuration layer's Ruby code."""
        return getattr(self.configuration, "interpreter", None) is not None

    @classmethod
    def of(cls, configuration: Any) -> ManagerSettings:
        if configuration is None:
            return cls()
        if isinstance(configuration, ManagerSettings):
            return configuration
        manager = getattr(configuration, "manager", None)
        get = getattr

        def item(name: str, default: Any) -> Any:
            value = get(manager, name, None) if manager is not None else None
            return default if value is None else value

        chunk_size = int(item("chunk_size", 65535))
        if not 1 <= chunk_size <= 65535:
            chunk_size = 65535
        security = getattr(configuration, "security", None)
        eggs = getattr(configuration, "eggs", None)
        if eggs is None:
            eggs = getattr(configuration, "milters", ()) or ()
        return cls(
            fallback_status=status_of(item("fallback_status", None), Status.ACCEPT),
            fallback_status_at_disconnect=status_of(
                item("fallback_status_at_disconnect", None), Status.TEMPORARY_FAILURE),
            chunk_size=chunk_size,
            packet_buffer_size=int(item("packet_buffer_size", 0)),
            max_connections=int(item("max_connections", 0)),
            suspend_time_on_unacceptable=float(item("suspend_time_on_unacceptable", 5)),
            maintenance_interval=int(item("maintenance_interval", 10)),
            max_pending_finished_sessions=int(item("max_pending_finished_sessions", 0)),
            connection_check_interval=float(item("connection_check_interval", 0)),
            privilege_mode=bool(get(security, "privilege_mode", False)) if security else False,
            eggs=tuple(EggSettings.of(egg) for egg in eggs),
            configuration=configuration,
        )
