"""Python cores of the library objects: socket addresses, the connection
table of NetstatConnectionChecker, Breaker detection (ruby-subset.md §9)."""

import pytest

from milter_manager.config.library import breaker as breaker_module
from milter_manager.config.library.breaker import Breaker, detect_threshold
from milter_manager.config.library.netstat import ConnectionTable, parse_proc_net_tcp
from milter_manager.config.library.socket_address import (
    IPv4,
    IPv6,
    Unix,
    Unknown,
    from_connect,
)

TCP = """  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid
   0: 0100007F:0019 0200007F:D431 01 00000000:00000000 00:00000000 00000000     0
   1: 0100007F:0019 0300007F:D432 08 00000000:00000000 00:00000000 00000000     0
   2: 00000000:0019 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0
"""
TCP6 = """  sl  local_address                         remote_address                        st
   0: 00000000000000000000000001000000:0019 00000000000000000000000001000000:9C40 01 0
"""


def test_socket_addresses():
    assert str(IPv4("192.0.2.1", 25)) == "inet:25@[192.0.2.1]"
    assert str(IPv6("0:0::1", 25)) == "inet6:25@[::1]"
    assert str(Unix("/tmp/s")) == "unix:/tmp/s"
    assert str(Unknown()) == "unknown"
    assert [IPv4(a, 1).is_local() for a in
            ("127.0.0.2", "10.1.1.1", "172.31.0.1", "192.168.9.9", "172.32.0.1", "8.8.8.8")] \
        == [True, True, True, True, False, False]
    assert IPv6("fe80::1", 1).is_local() and IPv6("::1", 1).is_local()
    assert not IPv6("2001:db8::1", 1).is_local()
    assert Unix("/x").is_local() and not Unknown().is_local()
    assert from_connect("4", 25, "192.0.2.1") == IPv4("192.0.2.1", 25)
    assert from_connect("L", 0, "/s") == Unix("/s")
    assert from_connect("U", 0, "") == Unknown()
    assert from_connect("4", 25, "bogus") == Unknown()


def test_parse_proc_net_tcp():
    first, second, listen = parse_proc_net_tcp(TCP, "tcp4")
    assert (first.local_ip, first.local_port, first.foreign_ip, first.foreign_port,
            first.state) == ("127.0.0.1", "25", "127.0.0.2", "54321", "ESTABLISHED")
    assert second.state == "CLOSE_WAIT" and listen.state == "LISTEN"
    (v6,) = parse_proc_net_tcp(TCP6, "tcp6")
    assert (v6.local_ip, v6.foreign_ip, v6.foreign_port) == ("::1", "::1", "40000")


@pytest.fixture
def table(tmp_path):
    (tmp_path / "tcp").write_text(TCP)
    (tmp_path / "tcp6").write_text(TCP6)
    now = [0.0]
    logs = []
    t = ConnectionTable(lambda level, message: logs.append(message),
                        (("tcp4", str(tmp_path / "tcp")), ("tcp6", str(tmp_path / "tcp6"))),
                        clock=lambda: now[0])
    t.now, t.logs, t.dir = now, logs, tmp_path
    return t


def test_connected(table):
    server = IPv4("127.0.0.1", 10025)
    assert table.connected(IPv4("127.0.0.2", 54321), server) is True
    assert table.connected(IPv4("127.0.0.3", 54322), server) is False     # CLOSE_WAIT
    assert table.connected(IPv4("192.0.2.9", 1), server) is True          # unknown
    assert table.connected(IPv4("127.0.0.3", 54322), IPv4("192.0.2.1", 1)) is True
    assert table.connected(IPv6("::1", 40000), server) is True


def test_server_interface_and_lifetime(table):
    entry = table.server_interface(IPv4("127.0.0.2", 54321))
    assert (entry.local_ip, entry.local_port) == ("127.0.0.1", "25")
    assert table.server_interface(IPv4("127.0.0.3", 54322)) is None      # not ESTABLISHED
    (table.dir / "tcp").write_text(TCP.replace("D431 01", "D431 08"))
    assert table.server_interface(IPv4("127.0.0.2", 54321)) is not None  # cached
    table.now[0] = 10
    assert table.server_interface(IPv4("127.0.0.2", 54321)) is None      # rebuilt


def test_port_zero_and_unavailable(table, tmp_path):
    assert table.lookup(IPv4("127.0.0.2", 0), True) is None
    assert table.logs == [("[netstat][warning] can't detect disconnected connection because "
                          "SMTP client port address is unknown: <inet:0@[127.0.0.2]>")]
    missing = ConnectionTable(lambda lv, m: table.logs.append(m),
                              (("tcp4", str(tmp_path / "nope")),))
    assert missing.connected(IPv4("127.0.0.2", 1), IPv4("127.0.0.1", 1)) is True
    missing.lookup(IPv4("127.0.0.2", 2), True)
    assert table.logs[1:] == ["[netstat][not-available] <netstat -n -W> <netstat -n>"]


def test_breaker_threshold(monkeypatch, tmp_path):
    master_cf = tmp_path / "master.cf"
    master_cf.write_text("# comment\nsmtp      inet  n       -       y       -       40"
                         "      smtpd\n")
    monkeypatch.setattr(breaker_module, "_postconf", lambda command: {
        "default_process_limit": "100", "config_directory": str(tmp_path)})
    logs = []
    lines = ["/usr/lib/postfix/sbin/master -w", "bash"]
    assert detect_threshold(lambda lv, m: logs.append(m), lambda: lines) == 30
    assert logs == ["[breaker][detect][threshold][postfix] <30>"]
    master_cf.write_text("smtp inet n - y - - smtpd\n")
    assert detect_threshold(None, lambda: lines) == 75
    assert detect_threshold(lambda lv, m: logs.append(m), lambda: ["bash"]) == 0
    assert logs[-1] == "[breaker][detect][error][threshold] can't detect MTA"
    breaker = Breaker()
    breaker.threshold_n_connections = 3
    assert [breaker.stressing(n) for n in (2, 3, 4)] == [False, True, True]
    breaker.threshold_n_connections = 0
    assert breaker.stressing(100) is False
