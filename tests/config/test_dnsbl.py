"""The DNSBL conditions against a DNS server of our own on 127.0.0.1
(the README's resolver decision: the unchanged dnsbl.conf pointed at it with
`instance_variable_set(:@dns_configuration, ...)`), for upstream's file and ours."""

import socket
import struct
import threading

import pytest

from milter_manager.config.library.socket_address import IPv4, IPv6
from milter_manager.config.loader import ConfigurationLoader, LoadOptions, data_dir
from milter_manager.config.runtime import should_stop

from .support import UPSTREAM, write
from .test_loading import Child

# reversed client address + service → the A record the service answers
ANSWERS = {
    "2.0.0.127.bl.spamcop.net": "127.0.0.2",        # listed (expected 127.0.0.2)
    "3.0.0.127.zen.spamhaus.org": "127.0.0.99",     # answers, but not the expected range
    "4.0.0.127.zen.spamhaus.org": "127.0.0.11",     # listed (127.0.0.10/31)
}


def answer(query: bytes) -> bytes:
    ident = struct.unpack("!H", query[:2])[0]
    labels, offset = [], 12
    while query[offset]:
        length = query[offset]
        labels.append(query[offset + 1:offset + 1 + length].decode())
        offset += 1 + length
    qtype = struct.unpack("!H", query[offset + 1:offset + 3])[0]
    question = query[12:offset + 5]
    name = ".".join(labels).lower()
    address = ANSWERS.get(name) if qtype == 1 else None
    if address is None:
        rcode = 3 if name not in ANSWERS else 0
        return struct.pack("!HHHHHH", ident, 0x8180 | rcode, 1, 0, 0, 0) + question
    record = (b"\xc0\x0c" + struct.pack("!HHIH", 1, 1, 60, 4) + socket.inet_aton(address))
    return struct.pack("!HHHHHH", ident, 0x8180, 1, 1, 0, 0) + question + record


@pytest.fixture
def dns_server():
    server = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    server.bind(("127.0.0.1", 0))
    stop = threading.Event()

    def serve():
        server.settimeout(0.1)
        while not stop.is_set():
            try:
                data, peer = server.recvfrom(512)
            except OSError:
                continue
            server.sendto(answer(data), peer)
    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield server.getsockname()[1]
    stop.set()
    thread.join()
    server.close()


@pytest.mark.parametrize("stock", [UPSTREAM / "data", data_dir()], ids=["upstream", "own"])
def test_dnsbl_conditions(tmp_path, dns_server, stock, monkeypatch):
    resolv_conf = write(tmp_path, "resolv.conf", "nameserver 127.0.0.1\n")
    monkeypatch.setenv("MILTER_MANAGER_RESOLV_CONF", str(resolv_conf))
    write(tmp_path, "milter-manager.conf", f"""
        load("applicable-conditions/dnsbl.conf")
        dnsbl.instance_variable_set(:@dns_configuration,
                                    {{nameserver_port: [["127.0.0.1", {dns_server}]]}})
        define_milter("listed-only") do |m|
          m.applicable_conditions = ["DNSBL Listed"]
        end
        define_milter("clean-only") do |m|
          m.applicable_conditions = ["Not DNSBL Listed"]
        end
        """)
    options = LoadOptions(load_paths=[str(tmp_path), str(stock)], custom_directory=False,
                          uid=0, env={}, log=lambda level, message: None)
    config = ConfigurationLoader(options).startup()
    listed_only, clean_only = config.eggs

    def stops(egg, address):
        return should_stop(config, egg, "connect", Child(egg.name), "host", address)

    for address, listed in [("127.0.0.2", True), ("127.0.0.3", False),
                            ("127.0.0.4", True), ("127.0.0.5", False)]:
        client = IPv4(address, 40000)
        assert stops(listed_only, client) is (not listed), address
        assert stops(clean_only, client) is listed, address
    # IPv6 clients are never listed
    assert stops(listed_only, IPv6("::1", 1)) is True
