"""The connection table behind `NetstatConnectionChecker` (ruby-subset.md
§9.4): the kernel's /proc/net/tcp* text, kept `database_lifetime` seconds,
searched by the client's address, rebuilt once on a miss when asked to."""

import socket

import pytest

from milter_manager.config.library.netstat import (
    ConnectionTable,
    find_entry,
    kernel_address,
)
from milter_manager.config.library.socket_address import IPv4, IPv6

TEXT = """  sl  local_address rem_address   st tx_queue
   0: 0900007F:0050 1900007F:0019 01 00000000:00000000
   1: 1900007F:0019 0900007F:0050 08 00000000:00000000
   2: 1900007F:0019 0900007F:0050 01 00000000:00000000
   3: 0900007F:0050 0A00007F:0019 06 00000000:00000000"""


def test_kernel_address_forms():
    assert kernel_address("127.0.0.9", 80) == "0900007F:0050"
    assert kernel_address("::1", 25) == "00000000000000000000000001000000:0019"
    assert kernel_address("2001:db8::1", 65535) == \
        "B80D0120000000000000000001000000:FFFF"


def test_find_entry_matches_the_foreign_column_and_the_last_line():
    # 127.0.0.9:80 is a local address on lines 0 and 3; lines 1 and 2 have it
    # as the foreign address: the later one wins (as upstream's hash)
    assert find_entry(TEXT, "0900007F:0050") == ("1900007F:0019", "0900007F:0050", "01")
    assert find_entry(TEXT, "1900007F:0019") == ("0900007F:0050", "1900007F:0019", "01")
    assert find_entry(TEXT, "0A00007F:0019") == ("0900007F:0050", "0A00007F:0019", "06")
    assert find_entry(TEXT, "0B00007F:0019") is None
    assert find_entry("", "0900007F:0050") is None


@pytest.mark.parametrize(("server_ip", "client_ip"), [("127.0.0.25", "127.0.0.9"),
                                                      ("::1", "::1")])
def test_real_connections_and_the_retry_on_a_miss(server_ip, client_ip):
    family = socket.AF_INET6 if ":" in server_ip else socket.AF_INET
    address = IPv6 if family == socket.AF_INET6 else IPv4
    now = [0.0]
    table = ConnectionTable(clock=lambda: now[0])
    table.lookup(address(client_ip, 1), False)           # the table is built now
    with socket.socket(family) as listener:
        listener.bind((server_ip, 0))
        listener.listen(1)
        with socket.socket(family) as client:
            client.bind((client_ip, 0))
            client.connect(listener.getsockname()[:2])
            accepted, _ = listener.accept()
            with accepted:
                port = client.getsockname()[1]
                # not in the cached table: without retry, unknown (connected)
                assert table.lookup(address(client_ip, port), False) is None
                assert table.connected(address(client_ip, port), IPv4("127.0.0.1", 1))
                # with retry the table is read again once and the entry found
                entry = table.server_interface(address(client_ip, port))
                assert entry is not None
                assert (entry.local_ip, entry.local_port, entry.state) == \
                    (server_ip, str(listener.getsockname()[1]), "ESTABLISHED")
                assert entry.foreign_ip == client_ip
                assert table.lookup(address(client_ip, port), False) is not None
