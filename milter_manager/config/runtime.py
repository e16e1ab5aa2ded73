"""Calling the configuration's Ruby code at run time (config.md §8.2, §10.3).

The manager calls these from its worker threads; each call into interpreted
code gets its own step budget and runs under the interpreter's lock. Errors
never escape: they are logged (with the Ruby backtrace) and count as the
harmless answer (a stopper: "do not stop"; a checker: "connected").
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from milter_manager.config import log_level
from milter_manager.config.library.host import ChildContextHost, ConnectionCheckHost
from milter_manager.config.model import Configuration, Egg
from milter_manager.config.values import truthy
from milter_manager.ruby.errors import RubyError
from milter_manager.ruby.objects import RProc, RString


def _session(config: Configuration) -> Any:
    return config.interpreter.milter_session


def set_log_sink(config: Configuration, sink: Any) -> None:
    """Where `Milter::Logger` and library messages go from now on."""
    config.log_sink = sink


def log_exception(config: Configuration, error: RubyError) -> None:
    sink = config.log_sink
    sink(log_level.ERROR, f"{error.class_name}: {error.message}:")
    for line in error.backtrace:
        sink(log_level.ERROR, line)


def _ruby_arg(session: Any, value: Any) -> Any:
    from milter_manager.config.library.bindings import socket_address_object
    from milter_manager.config.library.socket_address import IPv4, IPv6, Unix, Unknown
    if isinstance(value, (IPv4, IPv6, Unix, Unknown)):
        return socket_address_object(session, value)
    if isinstance(value, bytes):
        return RString(value.decode("utf-8", "surrogateescape"))
    if isinstance(value, str):
        return RString(value)
    return value


def _call(config: Configuration, callable_: Any, *args: Any) -> Any:
    """Call a stopper/checker/hook: a Ruby proc, a Ruby object with `call`,
    or a native Python callable (library code such as the policy stoppers)."""
    interp = config.interpreter
    if isinstance(callable_, RProc):
        return interp.call_proc(callable_, *args)
    if callable(callable_):
        # Native library code: it enters the interpreter (and its lock) itself.
        return callable_(*args)
    return interp.call_method(callable_, "call", *args)


def stoppers(egg: Egg, stage: str) -> list[Any]:
    """The stoppers consulted for EGG at STAGE, in order (§10.3)."""
    return [stopper for condition in egg.applicable_conditions
            for stopper in condition.stoppers_for(stage)]


def has_stoppers(egg: Egg, stage: str) -> bool:
    return any(condition.stoppers_for(stage) for condition in egg.applicable_conditions)


def should_stop(config: Configuration, egg: Egg, stage: str, context: ChildContextHost,
                *args: Any) -> bool:
    """Run EGG's stoppers for STAGE (§10.3): True when one returns a truthy
    value (the rest are not run). ARGS per stage: connect (host, socket
    address), helo (fqdn), envelope_from (from), envelope_recipient
    (recipient), header (name, value), body (chunk); none for the others."""
    found = stoppers(egg, stage)
    if not found:
        return False
    from milter_manager.config.library.contexts import child_context_object
    session = _session(config)
    ruby_context = child_context_object(session, context)
    ruby_args = [_ruby_arg(session, arg) for arg in args]
    for stopper in found:
        try:
            if truthy(_call(config, stopper, ruby_context, *ruby_args)):
                return True
        except RubyError as error:
            log_exception(config, error)
    return False


def is_connected(config: Configuration, context: ConnectionCheckHost) -> bool:
    """The connection checkers (§8.2): gone as soon as one returns a false
    value; a checker that raises is logged and counts as connected."""
    if not config.connection_checkers:
        return True
    from milter_manager.config.library.contexts import connection_check_object
    ruby_context = connection_check_object(_session(config), context)
    for checker in list(config.connection_checkers.values()):
        try:
            if not truthy(_call(config, checker, ruby_context)):
                return False
        except RubyError as error:
            log_exception(config, error)
    return True


def run_maintained_hooks(config: Configuration) -> None:
    for hook in list(config.maintained_hooks):
        try:
            _call(config, hook)
        except RubyError as error:
            log_exception(config, error)


class EventLoopHandle:
    """What `manager.event_loop_created { |loop| ... }` receives: the runtime
    provides `add_timeout(seconds, fn)` and `add_idle(fn)` where fn returns
    True to be called again."""

    def __init__(self, add_timeout: Any, add_idle: Any) -> None:
        self.add_timeout = add_timeout
        self.add_idle = add_idle


def run_event_loop_created_hooks(config: Configuration, loop: EventLoopHandle) -> None:
    interp = config.interpreter
    cls = interp.define_class("Milter::Manager::EventLoop")

    def repeat(block: Any) -> Any:
        def again() -> bool:
            try:
                return truthy(interp.call_proc(block))
            except RubyError as error:
                log_exception(config, error)
                return False
        return again

    def add_timeout(i, recv, args, kwargs, block):
        seconds = i.to_f(i.host_frame(), args[0])
        recv.payload.add_timeout(seconds, repeat(block))
        return True

    def add_idle(i, recv, args, kwargs, block):
        recv.payload.add_idle(repeat(block))
        return True
    interp.define_native(cls, "add_timeout", add_timeout, arity=1)
    interp.define_native(cls, "add_idle", add_idle, arity=0)
    ruby_loop = interp.new_object(cls, loop)
    for hook in list(config.event_loop_created_hooks):
        try:
            _call(config, hook, ruby_loop)
        except RubyError as error:
            log_exception(config, error)


def macros_of(mapping: Mapping[str, str]) -> dict[str, str]:
    """Normalise macro names (`{if_addr}` → `if_addr`) for hosts built from dicts."""
    return {name.strip("{}"): value for name, value in mapping.items()}
