"""The Ruby-visible DSL objects (config.md §5–§10, ruby-subset.md §9.13):
section loaders (`manager`, `security`, ...), the milter and condition
loaders of `define_milter` / `define_applicable_condition`, the
`configuration` object and the Egg / ApplicableCondition value objects.

Every setter converts its argument to a plain value, calls the model with the
call site, and turns a model error into the Ruby exception of its class.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from milter_manager.config.dsl.convert import (
    inspect,
    is_string,
    site,
    to_hash_of_strings,
    to_plain,
    to_ruby,
    to_s,
)
from milter_manager.config.errors import ConfigValueError
from milter_manager.config.model import (
    STOPPER_STAGES,
    TIMEOUTS,
    ApplicableCondition,
    Configuration,
    Egg,
    Section,
)
from milter_manager.config.paths import resolve_path
from milter_manager.config.sections import (
    CONTROLLER_ITEMS,
    DATABASE_ITEMS,
    MANAGER_ITEMS,
)
from milter_manager.config.values import FALLBACK_STATUSES
from milter_manager.ruby.objects import RArray, RHash, RString

LOADER = "Milter::Manager::ConfigurationLoader"
Native = Callable[[Any, Any, list, Any, Any], Any]


class Payload:
    """Base of the Python objects carried by the DSL objects."""
    model_value: Any = None


class SectionPayload(Payload):
    def __init__(self, section: Section) -> None:
        self.section = section


class EggPayload(Payload):
    def __init__(self, egg: Egg) -> None:
        self.egg = egg


class ConditionPayload(Payload):
    def __init__(self, condition: ApplicableCondition, value: bool) -> None:
        self.condition = condition
        if value:
            self.model_value = condition
        self.defined_stopper = False


class DSL:
    """Defines the DSL classes on one interpreter and makes their objects."""

    def __init__(self, interp: Any, config: Configuration) -> None:
        self.interp = interp
        self.config = config
        # The loader is a class; define it before the error classes nested in it
        # (define_class would otherwise create the container as a module).
        self.loader_class = interp.define_class(LOADER)
        self.milter_error = interp.define_class("Milter::Error", interp.module_at("StandardError"))
        self.errors = {kind: interp.define_class(f"{LOADER}::{kind}", self.milter_error)
                       for kind in ("InvalidValue", "NonexistentPath", "MissingValue", "Error")}
        self._sections: dict[str, Any] = {}
        self._values: dict[int, Any] = {}
        self.classes: dict[str, Any] = {}
        self._define_sections()
        self._define_egg_classes()
        self._define_condition_classes()
        self._define_configuration()
        for cls in [self.loader_class, *self.classes.values()]:
            self.define_inspect(cls)

    # --- helpers --------------------------------------------------------------

    def native(self, cls: Any, name: str, fn: Native, arity: Any = -1) -> None:
        def guarded(interp: Any, recv: Any, args: list, kwargs: Any, block: Any) -> Any:
            try:
                return fn(interp, recv, args, kwargs, block)
            except ConfigValueError as error:
                raise self.raise_value_error(error) from None
        self.interp.define_native(cls, name, guarded, arity=arity)

    def define_inspect(self, cls: Any) -> None:
        """DSL objects inspect as `#<CLASS>` (ruby-subset.md §7.1)."""
        text = f"#<{cls.name}>"
        for name in ("inspect", "to_s"):
            self.interp.define_native(cls, name, lambda i, r, a, k, b: RString(text), arity=0)

    def raise_value_error(self, error: ConfigValueError) -> Any:
        return self.interp.error(self.errors[error.kind], error.message)

    def new(self, class_name: str, payload: Any) -> Any:
        return self.interp.new_object(self.classes[class_name], payload)

    def section(self, name: str) -> Any:
        obj = self._sections.get(name)
        if obj is None:
            obj = self.new(name, SectionPayload(getattr(self.config, name)))
            self._sections[name] = obj
        return obj

    def egg_value(self, egg: Egg) -> Any:
        obj = self._values.get(id(egg))
        if obj is None or obj.payload.egg is not egg:
            obj = self.new("Egg", EggPayload(egg))
            self._values[id(egg)] = obj
        return obj

    def condition_value(self, condition: ApplicableCondition) -> Any:
        obj = self._values.get(id(condition))
        if obj is None or obj.payload.condition is not condition:
            obj = self.new("ApplicableCondition", ConditionPayload(condition, True))
            self._values[id(condition)] = obj
        return obj

    # --- sections (§6, §8) ------------------------------------------------------

    def _section_class(self, key: str, path: str) -> Any:
        cls = self.interp.define_class(path)
        self.classes[key] = cls
        return cls

    def _define_items(self, cls: Any, items: Any, booleans: tuple[str, ...] = ()) -> None:
        for item in items:
            self._define_item(cls, item.name, item.name in booleans)

    def _define_item(self, cls: Any, name: str, boolean: bool) -> None:
        def getter(interp, recv, args, kwargs, block):
            return to_ruby(getattr(recv.payload.section, name))

        def setter(interp, recv, args, kwargs, block):
            recv.payload.section.set(name, to_plain(interp, args[0]), site(interp))
            return args[0]
        self.native(cls, name, getter, 0)
        if boolean:
            self.native(cls, name + "?", getter, 0)
        self.native(cls, name + "=", setter, 1)

    def _define_sections(self) -> None:
        package = self._section_class("package", f"{LOADER}::PackageConfigurationLoader")
        self._define_item(package, "platform", False)

        def options(interp, recv, args, kwargs, block):
            parsed = recv.payload.section.parsed_options()
            return None if parsed is None else interp.to_ruby(parsed)

        def set_options(interp, recv, args, kwargs, block):
            value = args[0]
            if isinstance(value, RHash):
                plain: Any = to_hash_of_strings(interp, value)
            elif isinstance(value, RArray) and all(
                    isinstance(pair, RArray) and len(pair) == 2 for pair in value):
                plain = [(to_s(interp, k), to_s(interp, v)) for k, v in value]
            else:
                plain = to_plain(interp, value)
            recv.payload.section.set("options", plain, site(interp))
            return value
        self.native(package, "options", options, 0)
        self.native(package, "options=", set_options, 1)

        security = self._section_class("security", f"{LOADER}::SecurityConfigurationLoader")
        self._define_item(security, "privilege_mode", True)
        self._define_item(security, "effective_user", False)
        self._define_item(security, "effective_group", False)

        log = self._section_class("log", "Milter::Client::ConfigurationLoader::"
                                  "LogConfigurationLoader")
        for name in ("path", "syslog_facility"):
            self._define_item(log, name, False)
        self._define_item(log, "use_syslog", True)
        self.native(log, "level", lambda i, r, a, k, b: RString(r.payload.section.level_text), 0)

        def set_level(interp, recv, args, kwargs, block):
            recv.payload.section.set("level", to_plain(interp, args[0]), site(interp))
            return args[0]
        self.native(log, "level=", set_level, 1)

        manager = self._section_class("manager", f"{LOADER}::ManagerConfigurationLoader")
        self._define_items(manager, MANAGER_ITEMS, ("remove_unix_socket_on_create",
                                                    "remove_unix_socket_on_close", "daemon"))
        self.native(manager, "available_fallback_statuses",
                    lambda i, r, a, k, b: RArray(RString(s) for s in FALLBACK_STATUSES), 0)

        controller = self._section_class("controller",
                                         f"{LOADER}::ControllerConfigurationLoader")
        self._define_items(controller, CONTROLLER_ITEMS, ("remove_unix_socket_on_create",
                                                          "remove_unix_socket_on_close"))

        database = self._section_class("database", "Milter::Client::ConfigurationLoader::"
                                       "DatabaseConfigurationLoader")
        for item in DATABASE_ITEMS:
            self._define_database_item(database, item.name)
        self._define_database_extras(database)

    def _define_database_item(self, cls: Any, name: str) -> None:
        def getter(interp, recv, args, kwargs, block):
            return recv.payload.section._values[name]

        def setter(interp, recv, args, kwargs, block):
            value = args[0]
            if isinstance(value, RString):
                value = RString(value.s)           # DSL setters store a copy
            recv.payload.section.set(name, value, site(interp), inspect(interp, value))
            return args[0]
        self.native(cls, name, getter, 0)
        self.native(cls, name + "=", setter, 1)

    def _define_database_extras(self, cls: Any) -> None:
        def extra_options(interp, recv, args, kwargs, block):
            section = recv.payload.section
            if not isinstance(section.extra_options, RHash):
                section.extra_options = RHash()
            return section.extra_options

        def set_extra_options(interp, recv, args, kwargs, block):
            value = args[0] if args[0] is not None else RHash()
            recv.payload.section.set("extra_options", value, site(interp))
            return args[0]

        def unavailable(interp, recv, args, kwargs, block):
            section = recv.payload.section
            if args == [] and section.type is None:
                raise ConfigValueError("database.type should be set", "MissingValue")
            if args == [] and section.name is None and \
                    to_s(interp, section.type) in ("mysql", "mysql2"):
                raise ConfigValueError("database.name should be set", "MissingValue")
            # [deviation] no ActiveRecord in the port (config.md §8.4).
            raise ConfigValueError(
                "database support (ActiveRecord) is not available in this implementation",
                "Error")
        self.native(cls, "extra_options", extra_options, 0)
        self.native(cls, "extra_options=", set_extra_options, 1)
        self.native(cls, "setup", unavailable, 0)
        self.native(cls, "load_models", unavailable, 1)

    # --- milters (§9) ----------------------------------------------------------------

    def _define_egg_classes(self) -> None:
        loader = self.interp.define_class(f"{LOADER}::EggConfigurationLoader")
        value = self.interp.define_class("Milter::Manager::Egg")
        self.classes["EggLoader"] = loader
        self.classes["Egg"] = value
        for cls in (loader, value):
            self._define_egg_getters(cls)
        config = self.config
        for name in ("connection_spec", "description", "enabled", "fallback_status",
                     "evaluation_mode", "command", "command_options", "user_name",
                     *TIMEOUTS):
            self._define_egg_setter(loader, name)

        def set_conditions(interp, recv, args, kwargs, block):
            config.set_egg_conditions(recv.payload.egg, to_plain(interp, args[0]))
            return args[0]

        def add_condition(interp, recv, args, kwargs, block):
            config.add_egg_condition(recv.payload.egg, to_plain(interp, args[0]), site(interp))
        self.native(loader, "applicable_conditions=", set_conditions, 1)
        self.native(loader, "add_applicable_condition", add_condition, 1)

    def _define_egg_getters(self, cls: Any) -> None:
        def getter(attribute: str) -> Native:
            return lambda i, recv, a, k, b: to_ruby(getattr(recv.payload.egg, attribute))
        for name in ("name", "connection_spec", "description", "fallback_status", "command",
                     "command_options", "user_name", *TIMEOUTS):
            self.native(cls, name, getter(name), 0)
        for name in ("enabled", "evaluation_mode"):
            self.native(cls, name, getter(name), 0)
            self.native(cls, name + "?", getter(name), 0)

        def conditions(interp, recv, args, kwargs, block):
            # A new Array each call: `+=` works, `<<` changes nothing (§9.3).
            return RArray(self.condition_value(c)
                          for c in recv.payload.egg.applicable_conditions)
        self.native(cls, "applicable_conditions", conditions, 0)

    def _define_egg_setter(self, cls: Any, name: str) -> None:
        config = self.config

        def setter(interp, recv, args, kwargs, block):
            value = args[0]
            if name == "command_options" and isinstance(value, RArray):
                plain: Any = [to_s(interp, item) for item in value]
            else:
                plain = to_plain(interp, value)
            config.set_egg(recv.payload.egg, name, plain, site(interp))
            return value
        self.native(cls, name + "=", setter, 1)

    # --- conditions (§10) --------------------------------------------------------------

    def _define_condition_classes(self) -> None:
        loader = self.interp.define_class(f"{LOADER}::ApplicableConditionConfigurationLoader")
        value = self.interp.define_class("Milter::Manager::ApplicableCondition")
        self.classes["ConditionLoader"] = loader
        self.classes["ApplicableCondition"] = value
        config = self.config
        for cls in (loader, value):
            self.native(cls, "name", lambda i, r, a, k, b: RString(r.payload.condition.name), 0)
            self.native(cls, "description",
                        lambda i, r, a, k, b: to_ruby(r.payload.condition.description), 0)
            self.native(cls, "data", lambda i, r, a, k, b: to_ruby(r.payload.condition.data), 0)

        def set_description(interp, recv, args, kwargs, block):
            config.set_condition_description(recv.payload.condition,
                                             to_plain(interp, args[0]), site(interp))
            return args[0]

        def set_data(interp, recv, args, kwargs, block):
            from milter_manager.config.values import to_string
            recv.payload.condition.data = to_string("condition.data",
                                                    to_plain(interp, args[0]))
            return args[0]
        self.native(loader, "description=", set_description, 1)
        self.native(loader, "data=", set_data, 1)
        self.native(loader, "have_stopper?",
                    lambda i, r, a, k, b: r.payload.defined_stopper, 0)
        self.native(value, "have_stopper?",
                    lambda i, r, a, k, b: r.payload.condition.have_stopper, 0)
        for stage in STOPPER_STAGES:
            self._define_stopper_hook(loader, stage)

    def _define_stopper_hook(self, cls: Any, stage: str) -> None:
        def define(interp, recv, args, kwargs, block):
            if block is None:
                raise interp.error("LocalJumpError", "no block given")
            recv.payload.condition.add_stopper(stage, block)
            recv.payload.defined_stopper = True
        self.native(cls, f"define_{stage}_stopper", define, 0)

    # --- the configuration object (§5.1) --------------------------------------------

    def _define_configuration(self) -> None:
        cls = self.interp.define_class("Milter::Manager::Configuration")
        self.classes["Configuration"] = cls
        config = self.config
        strings = lambda values: RArray(RString(v) for v in values)

        def path_arg(interp: Any, value: Any) -> str:
            return interp.to_str(interp.host_frame(), value)

        def append(interp, recv, args, kwargs, block):
            config.load_paths.append(path_arg(interp, args[0]))
            return strings(config.load_paths)

        def prepend(interp, recv, args, kwargs, block):
            config.load_paths.insert(0, path_arg(interp, args[0]))
            return strings(config.load_paths)

        def find_egg(interp, recv, args, kwargs, block):
            egg = config.find_egg(path_arg(interp, args[0]))
            return None if egg is None else self.egg_value(egg)

        def find_condition(interp, recv, args, kwargs, block):
            condition = config.find_applicable_condition(path_arg(interp, args[0]))
            return None if condition is None else self.condition_value(condition)

        def parsed_options(interp, recv, args, kwargs, block):
            parsed = config.package.parsed_options()
            return None if parsed is None else interp.to_ruby(parsed)

        def clear(interp, recv, args, kwargs, block):
            config.clear()

        natives = {
            "load_paths": (lambda i, r, a, k, b: strings(config.load_paths), 0),
            "append_load_path": (append, 1),
            "prepend_load_path": (prepend, 1),
            "resolve_path": (lambda i, r, a, k, b:
                             strings(resolve_path(path_arg(i, a[0]), config.load_paths)), 1),
            "parsed_package_options": (parsed_options, 0),
            "eggs": (lambda i, r, a, k, b: RArray(self.egg_value(e) for e in config.eggs), 0),
            "find_egg": (find_egg, 1),
            "applicable_conditions": (lambda i, r, a, k, b: RArray(
                self.condition_value(c) for c in config.applicable_conditions), 0),
            "find_applicable_condition": (find_condition, 1),
            "package_platform": (lambda i, r, a, k, b: to_ruby(config.package.platform), 0),
            "package_options": (lambda i, r, a, k, b: to_ruby(config.package.options), 0),
            "clear": (clear, 0),
        }
        for name, (fn, arity) in natives.items():
            self.native(cls, name, fn, arity)
        self.configuration_object = self.interp.new_object(cls, Payload())


def check_name(interp: Any, directive: str, value: Any) -> str:
    if not is_string(value):
        raise ConfigValueError(f"{directive} name should be a String but was "
                               f"{inspect(interp, value)}")
    return value.s
