"""Ruby bindings of `Milter::Logger`, `Milter::Status`, `Milter::SocketAddress`,
`AddressMatcher`, `Breaker`, `NetstatConnectionChecker` and the manager's
checker/hook directives (ruby-subset.md §9.1–§9.4, §9.8, §9.9; config.md §8.2).
"""

from __future__ import annotations

import gc
import re
from typing import Any

from milter_manager.config import log_level
from milter_manager.config.dsl.convert import inspect, library_site, to_plain
from milter_manager.config.library.breaker import Breaker
from milter_manager.config.library.netstat import ConnectionTable
from milter_manager.config.library.socket_address import (
    IPv4,
    IPv6,
    SocketAddress,
    Unix,
    Unknown,
)
from milter_manager.config.values import STATUS_NICKS, StatusValue, truthy
from milter_manager.ruby.objects import RArray, RException, RObject, RString

LEVELS = ("critical", "error", "warning", "message", "info", "debug", "trace", "statistics")


def current_sink(session: Any) -> Any:
    """The log sink in effect: the loader's while loading, then whatever the
    runtime installed on the configuration (`set_log_sink`)."""
    sink = getattr(session.config, "log_sink", None)
    return sink if sink is not None else session.log


def log_lines(session: Any, level: int, text: str) -> None:
    sink = current_sink(session)
    for line in text.split("\n"):
        sink(level, line)


def level_enabled(session: Any, level: int) -> bool:
    sink = current_sink(session)
    enabled = getattr(sink, "enabled", None)
    return True if enabled is None else bool(enabled(level))


def install(session: Any) -> None:
    _logger(session)
    _status(session)
    _socket_addresses(session)
    _address_matcher(session)
    _breaker(session)
    _netstat(session)
    _manager_directives(session)


# --- Milter::Logger (§9.1) ------------------------------------------------------

def format_message(session: Any, value: Any) -> str:
    interp = session.interp
    if value is None:
        return ""
    if isinstance(value, RString):
        return value.s
    if isinstance(value, RException):
        error = interp.RubyError(value)
        lines = [f"{error.class_name}: {error.message}:"] + error.backtrace
        return "\n".join(lines)
    return inspect(interp, value)


def _logger(session: Any) -> None:
    interp = session.interp
    logger = interp.define_class("Milter::Logger")
    for name in LEVELS:
        bit = log_level.BITS[name]

        def log(interp, recv, args, kwargs, block, bit=bit):
            if not level_enabled(session, bit):
                return
            value = args[0] if args else None
            if block is not None:
                value = interp.call_proc(block)
            log_lines(session, bit, format_message(session, value))
            return
        interp.define_singleton_native(logger, name, log, arity=(0, 1))


# --- Milter::Status (§9.2) ------------------------------------------------------

def _status(session: Any) -> None:
    interp = session.interp
    cls = interp.define_class("Milter::Status")
    milter = interp.module_at("Milter")
    session.status_objects = {}
    for nick in STATUS_NICKS:
        obj = interp.new_object(cls, StatusValue(nick))
        constant = nick.upper().replace("-", "_")
        interp.const_set(None, cls, constant, obj)
        interp.const_set(None, milter, f"STATUS_{constant}", obj)
        session.status_objects[nick] = obj
    interp.define_native(cls, "nick", lambda i, r, a, k, b: RString(r.payload.nick), arity=0)
    interp.define_native(cls, "to_s", lambda i, r, a, k, b: RString(r.payload.nick), arity=0)
    interp.define_native(cls, "inspect",
                         lambda i, r, a, k, b: RString(f"#<Milter::Status {r.payload.nick}>"),
                         arity=0)
    interp.define_native(cls, "==", lambda i, r, a, k, b: isinstance(a[0], RObject)
                         and a[0].payload == r.payload, arity=1)


# --- socket addresses (§9.3) -------------------------------------------------------

def socket_address_object(session: Any, address: SocketAddress) -> Any:
    """The Ruby object for a Python socket address."""
    name = {IPv4: "IPv4", IPv6: "IPv6", Unix: "Unix"}.get(type(address), "Unknown")
    return session.interp.new_object(session.socket_address_classes[name], address)


def socket_address_of(value: Any) -> SocketAddress:
    """The Python socket address behind a Ruby one (Unknown for anything else)."""
    payload = getattr(value, "payload", None)
    if isinstance(payload, (IPv4, IPv6, Unix, Unknown)):
        return payload
    return Unknown()


def ipaddr(session: Any, text: str) -> Any:
    interp = session.interp
    return interp.call_method(interp.module_at("IPAddr"), "new", RString(text))


def _socket_addresses(session: Any) -> None:
    interp = session.interp
    classes = {}
    for name in ("IPv4", "IPv6", "Unix", "Unknown"):
        classes[name] = interp.define_class(f"Milter::SocketAddress::{name}")
    session.socket_address_classes = classes

    def text(value: Any) -> str:
        return interp.to_str(interp.host_frame(), value)

    def port(value: Any) -> int:
        return interp.to_int(interp.host_frame(), value)

    constructors = {
        "IPv4": (lambda a: IPv4(text(a[0]), port(a[1])), 2),
        "IPv6": (lambda a: IPv6(text(a[0]), port(a[1])), 2),
        "Unix": (lambda a: Unix(text(a[0])), 1),
        "Unknown": (lambda a: Unknown(), 0),
    }
    for name, (make, arity) in constructors.items():
        def new(interp, recv, args, kwargs, block, make=make):
            try:
                return session.interp.new_object(recv, make(args))
            except ValueError as error:
                raise interp.error("ArgumentError", str(error)) from None
        interp.define_singleton_native(classes[name], "new", new, arity=arity)

    def define(name: str, fn: Any, arity: int = 0, only: tuple[str, ...] = ()) -> None:
        for class_name, cls in classes.items():
            if not only or class_name in only:
                interp.define_native(cls, name, fn, arity=arity)

    define("address", lambda i, r, a, k, b: RString(r.payload.address), only=("IPv4", "IPv6"))
    define("port", lambda i, r, a, k, b: r.payload.port, only=("IPv4", "IPv6"))
    define("path", lambda i, r, a, k, b: RString(r.payload.path), only=("Unix",))
    define("to_s", lambda i, r, a, k, b: RString(str(r.payload)))
    define("inspect", lambda i, r, a, k, b: RString(
        f"#<{i.module_name(i.real_class(r))} {r.payload}>"))
    define("local?", lambda i, r, a, k, b: r.payload.is_local())
    for family in ("ipv4", "ipv6", "unix", "unknown"):
        define(f"{family}?", lambda i, r, a, k, b, family=family: r.payload.family == family)

    def to_ip_address(interp, recv, args, kwargs, block):
        address = recv.payload
        if isinstance(address, (IPv4, IPv6)):
            return ipaddr(session, address.address)
        return None
    define("to_ip_address", to_ip_address)
    define("==", lambda i, r, a, k, b: socket_address_of(a[0]) == r.payload
           and type(getattr(a[0], "payload", None)) is type(r.payload), 1)


# --- AddressMatcher (§9.8) -----------------------------------------------------------

class Matcher:
    def __init__(self) -> None:
        self.local: list[Any] = []
        self.remote: list[Any] = []


def _address_matcher(session: Any) -> None:
    interp = session.interp
    cls = interp.define_class("Milter::Manager::AddressMatcher")
    interp.define_singleton_native(
        cls, "new", lambda i, r, a, k, b: i.new_object(r, Matcher()), arity=0)

    def entry(value: Any) -> Any:
        return ipaddr(session, value.s) if isinstance(value, RString) else value

    def adder(kind: str):
        def add(interp, recv, args, kwargs, block):
            entries = getattr(recv.payload, kind)
            entries.append(entry(args[0]))
            return RArray(entries)
        return add
    interp.define_native(cls, "add_local_address", adder("local"), arity=1)
    interp.define_native(cls, "add_remote_address", adder("remote"), arity=1)

    def call(obj: Any, name: str, *args: Any) -> Any:
        return interp.call_method(obj, name, *args)

    def is_local(matcher: Matcher, address: Any) -> bool:
        if truthy(call(address, "unknown?")):
            return False
        ip = call(address, "to_ip_address")
        if ip is not None and any(truthy(call(e, "include?", ip)) for e in matcher.remote):
            return False
        if truthy(call(address, "local?")):
            return True
        return ip is not None and any(truthy(call(e, "include?", ip)) for e in matcher.local)

    interp.define_native(cls, "local_address?",
                         lambda i, r, a, k, b: is_local(r.payload, a[0]), arity=1)
    interp.define_native(cls, "remote_address?", lambda i, r, a, k, b: (
        not truthy(call(a[0], "unknown?")) and not is_local(r.payload, a[0])), arity=1)


# --- Breaker (§9.9) ----------------------------------------------------------------------

def _breaker(session: Any) -> None:
    interp = session.interp
    cls = interp.define_class("Milter::Manager::Breaker")

    def sink(level: int, message: str) -> None:
        current_sink(session)(level, message)

    def new(interp, recv, args, kwargs, block):
        return interp.new_object(recv, Breaker(sink))

    def threshold(interp, recv, args, kwargs, block):
        with interp.released():
            return recv.payload.threshold_n_connections

    def set_threshold(interp, recv, args, kwargs, block):
        recv.payload.threshold_n_connections = interp.to_int(interp.host_frame(), args[0])
        return args[0]

    def stressing(interp, recv, args, kwargs, block):
        count = interp.call_method(args[0], "n_processing_sessions")
        with interp.released():
            limit = recv.payload.threshold_n_connections
        return limit != 0 and limit <= count

    interp.define_singleton_native(cls, "new", new, arity=0)
    interp.define_native(cls, "threshold_n_connections", threshold, arity=0)
    interp.define_native(cls, "threshold_n_connections=", set_threshold, arity=1)
    interp.define_native(cls, "stressing?", stressing, arity=1)


# --- NetstatConnectionChecker (§9.4) ---------------------------------------------------------

def new_netstat_checker(session: Any) -> Any:
    def sink(level: int, message: str) -> None:
        current_sink(session)(level, message)
    return session.interp.new_object(session.netstat_class, ConnectionTable(sink))


def _netstat(session: Any) -> None:
    interp = session.interp
    cls = interp.define_class("Milter::Manager::NetstatConnectionChecker")
    session.netstat_class = cls
    interp.define_singleton_native(cls, "new", lambda i, r, a, k, b: new_netstat_checker(session),
                                   arity=(0, 1))

    def connected(interp, recv, args, kwargs, block):
        server = socket_address_of(interp.call_method(args[0], "smtp_server_address"))
        client = socket_address_of(interp.call_method(args[0], "smtp_client_address"))
        with interp.released():
            return recv.payload.connected(client, server)

    def interface(attribute: str):
        def query(interp, recv, args, kwargs, block):
            with interp.released():
                entry = recv.payload.server_interface(socket_address_of(args[0]))
            return None if entry is None else RString(getattr(entry, attribute))
        return query

    def set_lifetime(interp, recv, args, kwargs, block):
        recv.payload.database_lifetime = interp.to_int(interp.host_frame(), args[0])
        return args[0]

    interp.define_native(cls, "connected?", connected, arity=1)
    interp.define_native(cls, "smtp_server_interface_ip_address", interface("local_ip"), arity=1)
    interp.define_native(cls, "smtp_server_interface_port", interface("local_port"), arity=1)
    interp.define_native(cls, "database_lifetime",
                         lambda i, r, a, k, b: r.payload.database_lifetime, arity=0)
    interp.define_native(cls, "database_lifetime=", set_lifetime, arity=1)


# --- manager.define_connection_checker & co (config.md §8.2) ------------------------------

def _memory_line() -> str:
    rss = 0
    try:
        with open("/proc/self/status", encoding="ascii", errors="replace") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    rss = int(re.findall(r"\d+", line)[0])
    except OSError:
        pass
    from milter_manager.ruby.objects import RBasic, RProc
    objects = [o for o in gc.get_objects() if isinstance(o, (RBasic, RArray))]
    procs = sum(1 for o in objects if isinstance(o, RProc))
    return f"[maintain][memory] ({rss}KB) total:{len(objects)} Proc:{procs} GLib::Object:0"


def _manager_directives(session: Any) -> None:
    dsl = session.dsl
    config = session.config
    manager = dsl.classes["manager"]

    def shared_checker() -> Any:
        if config.netstat_connection_checker is None:
            config.netstat_connection_checker = new_netstat_checker(session)
        return config.netstat_connection_checker

    def define_checker(interp, recv, args, kwargs, block):
        if block is None:
            raise interp.error("LocalJumpError", "no block given (yield)")
        config.connection_checkers[interp.to_str(interp.host_frame(), args[0])] = block

    def use_netstat(interp, recv, args, kwargs, block):
        interval = args[0] if args else 5
        config.manager.set("connection_check_interval", to_plain(interp, interval),
                           library_site())
        checker = shared_checker()
        checker.payload.database_lifetime = config.manager.connection_check_interval

        def netstat_checker(context: Any) -> Any:
            return interp.call_method(checker, "connected?", context)
        config.connection_checkers["netstat"] = netstat_checker

    def hook(attribute: str):
        def add(interp, recv, args, kwargs, block):
            callable_ = args[0] if args else block
            if callable_ is None:
                raise interp.error("ArgumentError", "no callable or block given")
            getattr(config, attribute).append(callable_)
        return add

    def report_memory(interp, recv, args, kwargs, block):
        def report() -> None:
            current_sink(session)(log_level.STATISTICS, _memory_line())
        config.maintained_hooks.append(report)

    dsl.native(manager, "define_connection_checker", define_checker, 1)
    dsl.native(manager, "use_netstat_connection_checker", use_netstat, (0, 1))
    dsl.native(manager, "netstat_connection_checker",
               lambda i, r, a, k, b: shared_checker(), 0)
    dsl.native(manager, "maintained", hook("maintained_hooks"), (0, 1))
    dsl.native(manager, "event_loop_created", hook("event_loop_created_hooks"), (0, 1))
    dsl.native(manager, "report_memory_statistics", report_memory, 0)
