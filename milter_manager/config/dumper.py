"""`--show-config`: the configuration as Ruby text (show-config.md §2–§5)."""

from __future__ import annotations

from milter_manager.config.locations import Key
from milter_manager.config.model import Configuration, Egg


def _inspect(value: str | None) -> str:
    from milter_manager.ruby.text import inspect_string
    return "nil" if value is None else inspect_string(value)


def _dump(value: str) -> str:
    from milter_manager.ruby.text import dump_string
    return dump_string(value)


def _bool(value: bool) -> str:
    return "true" if value else "false"


def _float(value: float) -> str:
    from milter_manager.ruby.text import float_to_s
    return float_to_s(value)


class _Writer:
    def __init__(self, config: Configuration) -> None:
        self.config = config
        self.lines: list[str] = []

    def location(self, key: Key) -> str:
        site = self.config.locations.get(key)
        return "default" if site is None else f"{site.file}:{site.line}"

    def item(self, key: Key, text: str, value: str, indent: str = "") -> None:
        self.lines.append(f"{indent}# {self.location(key)}")
        self.lines.append(f"{indent}{text} = {value}")

    def blank(self) -> None:
        self.lines.append("")


def _sections(w: _Writer) -> None:
    c = w.config
    # package.* never has a location (§3.1).
    w.lines += ["# default", f"package.platform = {_inspect(c.package.platform)}",
                "# default", f"package.options = {_inspect(c.package.options)}"]
    w.blank()

    s = c.security
    w.item(("security", "privilege_mode"), "security.privilege_mode",
           _bool(s.privilege_mode))
    w.item(("security", "effective_user"), "security.effective_user",
           _inspect(s.effective_user))
    w.item(("security", "effective_group"), "security.effective_group",
           _inspect(s.effective_group))
    w.blank()

    log = c.log
    w.item(("log", "level"), "log.level", f'"{log.level_text}"')
    w.item(("log", "path"), "log.path", _inspect(log.path))
    w.item(("log", "use_syslog"), "log.use_syslog", _bool(log.use_syslog))
    w.item(("log", "syslog_facility"), "log.syslog_facility", _inspect(log.syslog_facility))
    w.blank()

    m = c.manager
    strings = {"connection_spec", "unix_socket_group", "pid_file",
               "custom_configuration_directory"}
    dumped = {"fallback_status", "fallback_status_at_disconnect", "event_loop_backend"}
    bools = {"remove_unix_socket_on_create", "remove_unix_socket_on_close", "daemon"}
    for name in m.item_names():
        value = getattr(m, name)
        if name in strings:
            text = _inspect(value)
        elif name in dumped:
            text = _dump(value)
        elif name in bools:
            text = _bool(value)
        elif name == "unix_socket_mode":
            text = "0" if value == 0 else f"0{value:o}"   # C "%#o"
        elif name == "maintenance_interval":
            text = "nil" if value == 0 else str(value)
        else:
            text = str(value)
        w.item(("manager", name), f"manager.{name}", text)
    w.blank()

    ctl = c.controller
    w.item(("controller", "connection_spec"), "controller.connection_spec",
           _inspect(ctl.connection_spec))
    w.item(("controller", "unix_socket_mode"), "controller.unix_socket_mode",
           f"0{ctl.unix_socket_mode:o}")                     # "0%o": 0 prints 00
    w.item(("controller", "unix_socket_group"), "controller.unix_socket_group",
           _inspect(ctl.unix_socket_group))
    for name in ("remove_unix_socket_on_create", "remove_unix_socket_on_close"):
        w.item(("controller", name), f"controller.{name}", _bool(getattr(ctl, name)))
    w.blank()

    db = c.database
    for name in db.item_names():
        w.item(("database", name), f"database.{name}", db.inspect_of(name))
    w.blank()


def _conditions(w: _Writer) -> None:
    for condition in w.config.applicable_conditions:
        w.lines.append(f"# {w.location(('applicable_condition', condition.name))}")
        w.lines.append(f"define_applicable_condition({_dump(condition.name)}) do |condition|")
        w.item(("applicable_condition", condition.name, "description"),
               "condition.description", _inspect(condition.description), "  ")
        w.lines.append("end")
        w.blank()


def _egg(w: _Writer, egg: Egg) -> None:
    name = egg.name

    def item(attr: str, value: str) -> None:
        w.item(("milter", name, attr), f"milter.{attr}", value, "  ")

    w.lines.append(f"# {w.location(('milter', name))}")
    w.lines.append(f"define_milter({_inspect(name)}) do |milter|")
    item("connection_spec", _inspect(egg.connection_spec))
    item("description", _inspect(egg.description))
    item("enabled", _bool(egg.enabled))
    item("fallback_status", _inspect(egg.fallback_status))
    item("evaluation_mode", _bool(egg.evaluation_mode))
    if not egg.applicable_conditions:
        w.lines += ["  # default", "  milter.applicable_conditions = []"]
    else:
        w.lines.append("  milter.applicable_conditions = [")
        for condition in egg.applicable_conditions:
            key = ("milter", name, "applicable_condition", condition.name)
            w.lines.append(f"    # {w.location(key)}")
            w.lines.append(f"    {_inspect(condition.name)},")
        w.lines.append("  ]")
    item("command", _inspect(egg.command))
    item("command_options", _inspect(egg.command_options))
    item("user_name", _inspect(egg.user_name))
    for attr in ("connection_timeout", "writing_timeout", "reading_timeout",
                 "end_of_message_timeout"):
        item(attr, _float(getattr(egg, attr)))
    w.lines.append("end")
    w.blank()


def dump_configuration(config: Configuration) -> str:
    """The `--show-config` text: trailing whitespace stripped, one final newline."""
    w = _Writer(config)
    _sections(w)
    _conditions(w)
    for egg in config.eggs:
        _egg(w, egg)
    return "\n".join(w.lines).rstrip() + "\n"
