"""One load cycle's Ruby side (config.md §4, §5, §11, §14).

A `RubySession` owns a fresh interpreter with the DSL and the Milter library
installed, evaluates top-level loads with a fresh loader object each, and
turns every Ruby error into a ConfigurationError with the error line of
§14.2. The committed Configuration keeps the interpreter (its stoppers,
checkers and hooks are Ruby procs).
"""

from __future__ import annotations

import os
import stat
from typing import Any

from milter_manager.config import log_level
from milter_manager.config.dsl.convert import library_site, site, to_plain
from milter_manager.config.dsl.objects import DSL, LOADER, Payload, check_name
from milter_manager.config.errors import ConfigurationError, ConfigValueError
from milter_manager.config.model import Configuration, Egg
from milter_manager.config.paths import resolve_path
from milter_manager.ruby.errors import RubyError
from milter_manager.ruby.objects import RArray, RString
from milter_manager.ruby.syntax_error import RubySyntaxError

CONFIG_ERROR_CLASSES = {f"{LOADER}::{kind}" for kind in
                        ("InvalidValue", "NonexistentPath", "MissingValue", "Error")}


class LoaderState(Payload):
    """The payload of one top-level load's loader object."""

    def __init__(self) -> None:
        self.policies: list[Any] = []


def decode_source(data: bytes, path: str) -> str:
    """UTF-8 text; an invalid byte is the syntax error of config.md §4.1."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        before = data[:error.start]
        line = before.count(b"\n") + 1
        column = len(before[before.rfind(b"\n") + 1:].decode("utf-8", "replace")) + 1
        source_line = data.split(b"\n")[line - 1].decode("utf-8", "replace")
        raise RubySyntaxError("invalid multibyte char (UTF-8)", path, line, column,
                              source_line) from None


class RubySession:
    def __init__(self, config: Configuration, host: Any) -> None:
        from milter_manager.ruby.interpreter import Interpreter
        self.config = config
        self.host = host
        self.log = host.log
        self.interp = Interpreter()
        self.interp.milter_session = self
        config.interpreter = self.interp
        config.log_sink = self.log
        self.dsl = DSL(self.interp, config)
        self.loading: list[str] = []
        self.warned_insecure: set[str] = set()
        self.loader_class = self.dsl.loader_class
        self._define_loader()
        from milter_manager.config.library import install
        install(self)
        from milter_manager.config import detectors
        detectors.install(self)

    # --- running files ---------------------------------------------------------

    def parse_file(self, path: str) -> Any:
        from milter_manager.config.dsl.astcache import cached_parse
        info = os.stat(path)

        def parse() -> Any:
            from milter_manager.ruby.parser import parse as parse_source
            with open(path, "rb") as stream:
                data = stream.read()
            return parse_source(decode_source(data, path), path)
        # Warned before parsing: a file others may write is worth knowing
        # about even when what they wrote does not load.
        if info.st_mode & (stat.S_IWGRP | stat.S_IWOTH) and path not in self.warned_insecure:
            self.warned_insecure.add(path)
            self.log(log_level.WARNING, f"[configuration][insecure] {path} is writable by others")
        return cached_parse(path, info, parse)

    def load_file(self, path: str, loader: Any) -> None:
        """Evaluate PATH with LOADER as self (a top-level or nested load)."""
        interp = self.interp
        real = os.path.realpath(path)
        if real in self.loading:
            # [deviation] upstream recurses until the stack overflows.
            raise ConfigValueError(f"recursive load: {path}", "Error")
        try:
            program = self.parse_file(path)
        except RubySyntaxError as error:
            raise interp.error("SyntaxError", error.message, syntax=error) from None
        except OSError as error:
            raise interp.errno_error(interp.host_frame(), error, "rb_sysopen", path) from None
        singleton = interp.singleton_class(None, loader)
        scope = [singleton, self.loader_class, interp.module_at("Milter::Manager"),
                 interp.module_at("Milter")]
        self.loading.append(real)
        try:
            interp.load_program(program, loader, lexical_scope=scope)
        finally:
            self.loading.pop()

    def new_loader(self) -> Any:
        loader = self.interp.new_object(self.loader_class, LoaderState())
        self.interp.ivar_set(None, loader, "@configuration", self.dsl.configuration_object)
        return loader

    def load_top_level(self, path: str) -> None:
        """One top-level load (§4.1–§4.2); ConfigurationError on failure."""
        loader = self.new_loader()
        try:
            try:
                self.load_file(path, loader)
            except ConfigValueError as error:
                raise self.dsl.raise_value_error(error) from None
            policies = loader.payload.policies
            if policies:
                from milter_manager.config.library.policy import apply_policies
                apply_policies(self, policies)
        except RubySyntaxError as error:
            raise ConfigurationError(error.message, error.filename, error.line,
                                     error.column) from None
        except RubyError as error:
            raise self.configuration_error(error) from None
        except ConfigValueError as error:
            raise ConfigurationError(error.message) from None

    def configuration_error(self, error: RubyError) -> ConfigurationError:
        extra = getattr(error.exc, "extra", None) or {}
        syntax = extra.get("syntax")
        if syntax is not None:
            return ConfigurationError(syntax.message, syntax.filename, syntax.line,
                                      syntax.column)
        message = error.message
        suffix: str | None = error.class_name
        if error.internal or suffix in CONFIG_ERROR_CLASSES:
            suffix = None
        if error.internal and not message.startswith("internal error: "):
            message = f"internal error: {message}"
        location = error.location
        if location is None:
            return ConfigurationError(message, ruby_class=suffix)
        return ConfigurationError(message, location[0], location[1], ruby_class=suffix)

    # --- the loader's directives (§5) -----------------------------------------------

    def _define_loader(self) -> None:
        interp = self.interp
        dsl = self.dsl
        cls = self.loader_class
        config = self.config

        def path_of(value: Any) -> str:
            return interp.to_str(interp.host_frame(), value)

        def load(interp, recv, args, kwargs, block):
            path = path_of(args[0])
            files = resolve_path(path, config.load_paths)
            if not files:
                raise ConfigValueError(f"{path} doesn't exist.", "NonexistentPath")
            for file in files:
                self.load_file(file, recv)

        def load_if_exist(interp, recv, args, kwargs, block):
            files = resolve_path(path_of(args[0]), config.load_paths)
            for file in files:
                self.load_file(file, recv)
            return bool(files)

        def load_default(interp, recv, args, kwargs, block):
            platform = config.package.platform
            if platform is None:
                return None
            return load_if_exist(interp, recv, [RString(f"defaults/{platform}.conf")],
                                 None, None)

        def define_milter(interp, recv, args, kwargs, block):
            name = check_name(interp, "define_milter", args[0])
            if block is None:
                raise interp.error("LocalJumpError", "no block given (yield)")
            self.define_milter(name, site(interp), lambda loader: interp.call_proc(
                block, loader))

        def remove_milter(interp, recv, args, kwargs, block):
            config.remove_egg(path_of(args[0]))

        def define_condition(interp, recv, args, kwargs, block):
            name = check_name(interp, "define_applicable_condition", args[0])
            if block is None:
                raise interp.error("LocalJumpError", "no block given (yield)")
            self.define_condition(name, site(interp),
                                  lambda loader: interp.call_proc(block, loader))

        def define_policy(interp, recv, args, kwargs, block):
            from milter_manager.config.library.policy import new_policy
            if block is None:
                raise interp.error("LocalJumpError", "no block given (yield)")
            policy = new_policy(self, args[0])
            interp.call_proc(block, policy)
            recv.payload.policies.append(policy)

        directives = {
            "load": (load, 1),
            "load_if_exist": (load_if_exist, 1),
            "load_default": (load_default, 0),
            "define_milter": (define_milter, 1),
            "remove_milter": (remove_milter, 1),
            "defined_milters": (lambda i, r, a, k, b: RArray(
                RString(e.name) for e in config.eggs), 0),
            "define_applicable_condition": (define_condition, 1),
            "define_policy": (define_policy, 1),
            "configuration": (lambda i, r, a, k, b: dsl.configuration_object, 0),
        }
        for section in ("package", "security", "log", "manager", "controller", "database"):
            directives[section] = (lambda i, r, a, k, b, s=section: dsl.section(s), 0)
        for name, (fn, arity) in directives.items():
            dsl.native(cls, name, fn, arity)

    # --- Python API for library code (policies, detectors) ------------------------------

    def define_milter(self, name: str, where: Any, body: Any) -> Egg:
        """`define_milter(name) { |milter| body(milter) }` (§9.1). Library code
        passes `library_site()` as WHERE."""
        config = self.config
        egg = config.begin_egg(name, where)
        body(self.dsl.new("EggLoader", _egg_payload(egg)))
        config.commit_egg(egg)
        return egg

    def define_condition(self, name: str, where: Any, body: Any) -> Any:
        """`define_applicable_condition(name) { |condition| body(condition) }` (§10.1)."""
        from milter_manager.config.dsl.objects import ConditionPayload
        config = self.config
        condition = config.begin_condition(name, where)
        body(self.dsl.new("ConditionLoader", ConditionPayload(condition, False)))
        config.commit_condition(condition)
        return condition

    def plain(self, value: Any) -> Any:
        return to_plain(self.interp, value)

    library_site = staticmethod(library_site)


def _egg_payload(egg: Egg) -> Any:
    from milter_manager.config.dsl.objects import EggPayload
    return EggPayload(egg)
