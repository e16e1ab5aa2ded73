"""DNS lookups of the stock conditions never block the event loop: the
DNSBL stopper runs on a worker thread and waits for the test's own DNS
server (the spec README's resolver decision), with dnsbl.conf's 5 second
timeout, while other sessions go on (manager.md §12, ruby-subset.md §8.4)."""

import threading
import time

import pytest

from .support import (
    DNSServer,
    RecordingMilter,
    RunningManager,
    Session,
    connect_packet,
    load_stock,
    run_session,
    wait_until,
)

SERVICES = ("zen.spamhaus.org", "dnsbl.sorbs.net", "bl.spamcop.net", "b.barracudacentral.org")


@pytest.fixture
def dns(tmp_path, monkeypatch):
    server = DNSServer()
    server.a_records["2.113.0.203.bl.spamcop.net"] = "127.0.0.2"
    server.silent.update(f"66.113.0.203.{service}" for service in SERVICES)
    resolv_conf = tmp_path / "resolv.conf"
    resolv_conf.write_text(f"nameserver {server.address}\n")
    monkeypatch.setenv("MILTER_MANAGER_RESOLV_CONF", str(resolv_conf))
    yield server
    server.close()


@pytest.mark.parametrize("stock", ["upstream", "own"])
def test_a_slow_dnsbl_lookup_blocks_only_its_session(stock, tmp_path, dns):
    children = {name: RecordingMilter(name) for name in ("dnsbl", "plain")}
    config, _ = load_stock(stock, tmp_path / "config", f"""
        define_milter("dnsbl") do |m|
          m.connection_spec = "{children["dnsbl"].spec}"
          m.applicable_conditions = ["DNSBL Listed"]
        end
        define_milter("plain") {{ |m| m.connection_spec = "{children["plain"].spec}" }}
        """)
    running = RunningManager(config)
    slow = Session("slow", host="[203.0.113.66]", address="inet:25@[203.0.113.66]")
    fast = Session("fast", host="[203.0.113.2]", address="inet:25@[203.0.113.2]")
    finished = {}

    def run(session):
        started = time.monotonic()
        finished[session.id] = (run_session(running.port, session, connect_packet(session)),
                                started, time.monotonic())
    try:
        thread = threading.Thread(target=run, args=(slow,))
        thread.start()
        # the slow session's stopper is waiting for the silent DNS server
        assert wait_until(lambda: sum(name.startswith("66.") for name in dns.queries) >= 4)
        run(fast)
        thread.join(30)
    finally:
        running.stop()
    codes, slow_start, slow_end = finished["slow"]
    _, _, fast_end = finished["fast"]
    # the other session was not held up: it ended well before the slow one
    assert fast_end + 1 < slow_end
    # one attempt of 5 s per lookup, no AAAA retry after a timeout
    assert 4.5 <= slow_end - slow_start < 9.5
    assert codes[-1] == b"a"
    # listed: the fast session's client; a lookup that timed out: not listed
    # (the slow session negotiated first: the children's first connections)
    assert [children["dnsbl"].connection(i).applied for i in range(2)] == [False, True]
    assert all(children["plain"].connection(i).applied for i in range(2))
    # no AAAA query after an A query timed out
    assert dns.queries.count("66.113.0.203.zen.spamhaus.org") == 1
    for child in children.values():
        child.close()
