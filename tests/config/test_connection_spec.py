"""Connection specs (config.md §8.5): every check, in upstream's order."""

import socket

import pytest

from milter_manager.config import connection_spec as cs
from milter_manager.config.connection_spec import (
    ConnectionSpecError,
    parse_connection_spec,
)


@pytest.fixture(autouse=True)
def offline_resolver(monkeypatch):
    """Stay off the network: a small static table stands in for getaddrinfo."""
    table = {("localhost", socket.AF_INET): "127.0.0.1",
             ("localhost", socket.AF_INET6): "::1"}

    def resolve(name, family):
        try:
            return table[(name, family)]
        except KeyError:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known") from None
    monkeypatch.setattr(cs, "resolve_host", resolve)


@pytest.mark.parametrize("spec, detail", [
    ("XXXX@localhost", "spec doesn't have colon: <XXXX@localhost>"),
    ("inet:", "spec doesn't have content: <inet:>"),
    ("unix:", "spec doesn't have content: <unix:>"),
    ("tcp:10025", "protocol must be 'unix', 'inet' or 'inet6': <tcp:10025>: <tcp>"),
    (":10025", "protocol must be 'unix', 'inet' or 'inet6': <:10025>: <>"),
    ("inet:10a25@localhost", "port number has invalid character: <inet:10a25@localhost>: <a>"),
    ("inet:-1", "port number has invalid character: <inet:-1>: <->"),
    ("inet:10025@[127.0.0.1", "']' is missing: <inet:10025@[127.0.0.1>: <[127.0.0.1>"),
    ("inet:10025@[::1]", "invalid host address: <inet:10025@[::1]>: <::1>"),
    ("inet6:10025@[127.0.0.1]", "invalid host address: <inet6:10025@[127.0.0.1]>: <127.0.0.1>"),
    ("inet:10025@[999.0.0.1]", "invalid host address: <inet:10025@[999.0.0.1]>: <999.0.0.1>"),
    ("inet:10025@nonexistent.invalid",
     ("invalid host address: <inet:10025@nonexistent.invalid>: <nonexistent.invalid>: "
      "<Name or service not known>")),
    ("inet:10025@", "invalid host address: <inet:10025@>: <>: <Name or service not known>"),
    ("inet:65536", "port number should be less than 65536: <inet:65536>: <65536>"),
    ("inet:99999@localhost", "port number should be less than 65536: <inet:99999@localhost>: <99999>"),
    # host problems are reported before the port range
    ("inet:99999@[x]", "invalid host address: <inet:99999@[x]>: <x>"),
    ("unix:/" + "a" * 107, "unix socket path is too long: <unix:/" + "a" * 107 + ">"),
])
def test_invalid_specs(spec, detail):
    with pytest.raises(ConnectionSpecError) as info:
        parse_connection_spec(spec)
    assert info.value.detail == detail


def test_unix_path_limit_counts_utf8_bytes():
    parse_connection_spec("unix:/" + "a" * 106)          # 107 bytes: accepted
    with pytest.raises(ConnectionSpecError):
        parse_connection_spec("unix:/" + "é" * 54)       # 109 bytes


@pytest.mark.parametrize("spec, family, path, host, port, address", [
    ("unix:/run/milter-manager/milter-manager.sock", "unix",
     "/run/milter-manager/milter-manager.sock", None, None, None),
    ("local:/tmp/x.sock", "local", "/tmp/x.sock", None, None, None),
    ("inet:10025", "inet", None, None, 10025, None),
    ("inet:10025@[127.0.0.1]", "inet", None, "127.0.0.1", 10025, "127.0.0.1"),
    ("inet:10026@localhost", "inet", None, "localhost", 10026, "127.0.0.1"),
    ("inet6:10025@[::1]", "inet6", None, "::1", 10025, "::1"),
    ("inet6:2929@localhost", "inet6", None, "localhost", 2929, "::1"),
    ("inet:@[127.0.0.1]", "inet", None, "127.0.0.1", 0, "127.0.0.1"),   # empty port = 0
])
def test_valid_specs(spec, family, path, host, port, address):
    parsed = parse_connection_spec(spec)
    assert parsed.text == spec
    assert parsed.family == ("unix" if family == "local" else family)
    assert (parsed.path, parsed.host, parsed.port, parsed.address) == (path, host, port, address)


def test_socket_addresses():
    assert parse_connection_spec("inet:10025").socket_address() == ("0.0.0.0", 10025)
    assert parse_connection_spec("inet6:10025").socket_address() == ("::", 10025, 0, 0)
    assert parse_connection_spec("unix:/tmp/s").socket_address() == "/tmp/s"
