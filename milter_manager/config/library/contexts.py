"""`Milter::Manager::ChildContext`, `ConnectionCheckContext` and the mail
transaction shelf (ruby-subset.md §9.5–§9.7): Ruby wrappers over the
manager's `host.ChildContextHost` / `host.ConnectionCheckHost` objects.
"""

from __future__ import annotations

import copy
import re
from typing import Any

from milter_manager.config.library.bindings import socket_address_object
from milter_manager.config.values import Symbol
from milter_manager.ruby.objects import RArray, RHash, RString, RSymbol

_POSTFIX = re.compile(r"\bPostfix\b", re.IGNORECASE)


def macro_name(interp: Any, value: Any) -> str:
    """`{if_addr}` and `if_addr` name the same macro."""
    name = interp.str_or_sym(interp.host_frame(), value) if not isinstance(value, RString) \
        else value.s
    if name.startswith("{") and name.endswith("}"):
        name = name[1:-1]
    return name


def child_context_object(session: Any, host: Any) -> Any:
    return session.interp.new_object(session.child_context_class, host)


def connection_check_object(session: Any, host: Any) -> Any:
    return session.interp.new_object(session.connection_check_class, host)


def install(session: Any) -> None:
    _child_context(session)
    _connection_check_context(session)
    _shelf(session)


def _child_context(session: Any) -> None:
    interp = session.interp
    cls = interp.define_class("Milter::Manager::ChildContext")
    session.child_context_class = cls

    def get(interp, recv, args, kwargs, block):
        value = recv.payload.macro(macro_name(interp, args[0]))
        return None if value is None else RString(value)

    def put(interp, recv, args, kwargs, block):
        value = args[1]
        text = None if value is None else interp.to_s(interp.host_frame(), value)
        recv.payload.set_macro(macro_name(interp, args[0]), text)
        return value

    def children(interp, recv, args, kwargs, block):
        return RHash((RString(name), child_context_object(session, child))
                     for name, child in recv.payload.children().items())

    def postfix(interp, recv, args, kwargs, block):
        version = recv.payload.macro("v")
        return version is not None and _POSTFIX.search(version) is not None

    def authenticated(interp, recv, args, kwargs, block):
        host = recv.payload
        return host.macro("auth_type") is not None or host.macro("auth_authen") is not None

    natives = {
        "name": (lambda i, r, a, k, b: RString(r.payload.name), 0),
        "[]": (get, 1),
        "[]=": (put, 2),
        "children": (children, 0),
        "n_processing_sessions": (lambda i, r, a, k, b: r.payload.n_processing_sessions(), 0),
        "quitted?": (lambda i, r, a, k, b: bool(r.payload.quitted()), 0),
        "postfix?": (postfix, 0),
        "authenticated?": (authenticated, 0),
        "mail_transaction_shelf": (lambda i, r, a, k, b: interp.new_object(
            session.shelf_class, r.payload.mail_transaction_shelf()), 0),
    }
    for status in ("reject", "temporary_failure", "accept", "discard"):
        nick = status.replace("_", "-")
        natives[f"{status}?"] = (lambda i, r, a, k, b, nick=nick: r.payload.status() == nick,
                                 0)
    for name, (fn, arity) in natives.items():
        interp.define_native(cls, name, fn, arity=arity)


def _connection_check_context(session: Any) -> None:
    interp = session.interp
    cls = interp.define_class("Milter::Manager::ConnectionCheckContext")
    session.connection_check_class = cls

    def get(interp, recv, args, kwargs, block):
        value = recv.payload.macro(macro_name(interp, args[0]))
        return None if value is None else RString(value)

    def server_name(interp, recv, args, kwargs, block):
        value = recv.payload.macro("v")      # upstream's definition
        return None if value is None else RString(value)

    interp.define_native(cls, "smtp_client_address", lambda i, r, a, k, b:
                         socket_address_object(session, r.payload.smtp_client_address), arity=0)
    interp.define_native(cls, "smtp_server_address", lambda i, r, a, k, b:
                         socket_address_object(session, r.payload.smtp_server_address), arity=0)
    interp.define_native(cls, "[]", get, arity=1)
    interp.define_native(cls, "smtp_server_name", server_name, arity=0)


# --- mail transaction shelf (§9.7) ---------------------------------------------------

class ShelfHash(list):
    """A Hash on the shelf: its (key, value) pairs in order."""

def _shelf_value(interp: Any, value: Any) -> Any:
    """A deep plain copy, or TypeError for what the shelf cannot hold."""
    if value is None or value is True or value is False or type(value) in (int, float):
        return value
    if isinstance(value, RString):
        return value.s
    if isinstance(value, RSymbol):
        return Symbol(value.name)
    if isinstance(value, RArray):
        return [_shelf_value(interp, item) for item in value]
    if isinstance(value, RHash):
        return ShelfHash((_shelf_value(interp, k), _shelf_value(interp, v))
                         for k, v in value.items())
    name = interp.module_name(interp.real_class(value))
    raise interp.error("TypeError", f"can't store {name} in the mail transaction shelf")


def _ruby_value(value: Any) -> Any:
    if isinstance(value, str):
        return RString(value)
    if isinstance(value, Symbol):
        return RSymbol.get(value.name)
    if isinstance(value, ShelfHash):
        return RHash((_ruby_value(k), _ruby_value(v)) for k, v in value)
    if isinstance(value, list):
        return RArray(_ruby_value(item) for item in value)
    return value


def _shelf(session: Any) -> None:
    interp = session.interp
    cls = interp.define_class("Milter::Manager::MailTransactionShelf")
    session.shelf_class = cls

    def key(value: Any) -> str:
        return interp.to_s(interp.host_frame(), value)

    def get(interp, recv, args, kwargs, block):
        return _ruby_value(copy.deepcopy(recv.payload.get(key(args[0]))))

    def put(interp, recv, args, kwargs, block):
        recv.payload[key(args[0])] = _shelf_value(interp, args[1])
        return args[1]

    def each(interp, recv, args, kwargs, block):
        for name, value in list(recv.payload.items()):
            interp.call_proc(block, RString(name), _ruby_value(copy.deepcopy(value)))
        return recv

    interp.define_native(cls, "[]", get, arity=1)
    interp.define_native(cls, "[]=", put, arity=2)
    interp.define_native(cls, "each", each, arity=0)
