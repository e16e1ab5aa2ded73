"""Resolv and Resolv::DNS (`ruby-subset.md` §8.4) against a DNS server the
test starts on 127.0.0.1; the unchanged stock dnsbl.conf (threads, Queue,
kill, join, IPAddr) reaches it through its `@dns_configuration`."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from ruby_tiny_dns import TinyDNS

from milter_manager.ruby.errors import RubyError
from milter_manager.ruby.interpreter import Interpreter
from milter_manager.ruby.parser import parse

SHARED = Path(__file__).resolve().parents[2] / ".." / "shared"
DNSBL_CONF = SHARED / "upstream" / "data" / "applicable-conditions" / "dnsbl.conf"


def run(interp: Interpreter, source: str) -> object:
    return interp.load_program(parse(source, "r.rb"))


def resolver(port: int, extra: str = "") -> str:
    return f'r = Resolv::DNS.new(nameserver_port: [["127.0.0.1", {port}]])\n{extra}'


def test_getaddress_a_then_aaaa_and_no_information() -> None:
    records = {("mail.example.test", "A"): ["192.0.2.7", "192.0.2.8"],
               ("v6.example.test", "AAAA"): ["2001:db8::25"]}
    with TinyDNS(records) as dns:
        interp = Interpreter()
        got = run(interp, resolver(dns.port, """
a = r.getaddress("mail.example.test")
b = r.getaddress("v6.example.test")
begin
  r.getaddress("nothing.example.test")
rescue Resolv::ResolvError => e
  err = [e.class.name, e.message]
end
[a.class.name, a.to_s, b.class.name, b.to_s, err, r.getaddresses("mail.example.test").map(&:to_s)]
"""))
        assert interp.to_python(got) == [
            "Resolv::IPv4", "192.0.2.7", "Resolv::IPv6", "2001:db8::25",
            ["Resolv::ResolvError", "DNS result has no information for nothing.example.test"],
            ["192.0.2.7", "192.0.2.8"]]
        assert ("v6.example.test", "A") in dns.queries and ("v6.example.test", "AAAA") in dns.queries


def test_timeouts_bound_the_wait() -> None:
    with TinyDNS({}, silent=True) as dns:
        interp = Interpreter()
        started = time.monotonic()
        got = run(interp, resolver(dns.port, """
r.timeouts = 0.3
begin
  r.getaddress("slow.example.test")
rescue Resolv::ResolvError => e
  e.message
end
"""))
        assert got.s == "DNS result has no information for slow.example.test"
        assert time.monotonic() - started < 3
        assert dns.queries   # it did ask


def test_nameserver_option_and_system_configuration(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    records = {("55.2.0.192.in-addr.arpa", "PTR"): ["mx.example.test."],
               ("host.example.test", "A"): ["192.0.2.99"]}
    with TinyDNS(records) as dns:
        conf = tmp_path / "resolv.conf"
        conf.write_text(f"# test resolver\nsearch example.test\nnameserver 127.0.0.1#{dns.port}\n")
        monkeypatch.setenv("MILTER_MANAGER_RESOLV_CONF", str(conf))
        interp = Interpreter()
        got = run(interp, """
[Resolv.getname("192.0.2.55"), Resolv::DNS.new.getaddress("host.example.test").to_s,
 Resolv::DNS.new(nil).getname("192.0.2.55")]
""")
        assert interp.to_python(got) == ["mx.example.test", "192.0.2.99", "mx.example.test"]
        with pytest.raises(RubyError) as info:
            run(interp, 'Resolv.getname("192.0.2.56")')
        assert (info.value.class_name, info.value.message) == \
            ("Resolv::ResolvError", "no name for 192.0.2.56")


DNSBL_HARNESS = """
$conditions = {}
class StubCondition
  attr_accessor :description
  def initialize(name)
    @stoppers = {}
  end
  def define_connect_stopper(&block)
    @stoppers[:connect] = block
  end
  def stopper(stage)
    @stoppers[stage]
  end
end
def define_applicable_condition(name)
  condition = StubCondition.new(name)
  yield(condition)
  $conditions[name] = condition
end
class StubAddress
  attr_reader :address
  def initialize(address)
    @address = address
  end
  def ipv4?
    !@address.include?(":")
  end
end
"""


def test_stock_dnsbl_conf_lookups_through_threads() -> None:
    records = {
        # zen answers in 127.0.0.10/31: listed.
        ("10.2.0.192.zen.spamhaus.org", "A"): ["127.0.0.11"],
        # spamcop answers an unexpected code: not listed by that service.
        ("20.2.0.192.bl.spamcop.net", "A"): ["127.0.0.3"],
        # b.barracudacentral.org expects 127.0.0.2.
        ("30.2.0.192.b.barracudacentral.org", "A"): ["127.0.0.2"],
    }
    with TinyDNS(records) as dns:
        interp = Interpreter()
        run(interp, DNSBL_HARNESS + f"load {str(DNSBL_CONF)!r}\n"
            f"dnsbl.instance_variable_set(:@dns_configuration, "
            f"{{nameserver_port: [['127.0.0.1', {dns.port}]]}})\n")
        stopper = run(interp, '$conditions["DNSBL Listed"].stopper(:connect)')
        not_listed = run(interp, '$conditions["Not DNSBL Listed"].stopper(:connect)')
        verdicts = {}
        for ip in ("192.0.2.10", "192.0.2.20", "192.0.2.30", "192.0.2.40", "2001:db8::1"):
            address = run(interp, f"StubAddress.new({ip!r})")
            # "DNSBL Listed" stops (true) a child when the host is NOT listed.
            verdicts[ip] = (interp.call_proc(stopper, None, "host", address),
                            interp.call_proc(not_listed, None, "host", address))
        assert verdicts == {
            "192.0.2.10": (False, True),
            "192.0.2.20": (True, False),
            "192.0.2.30": (False, True),
            "192.0.2.40": (True, False),
            "2001:db8::1": (True, False),   # only IPv4 is checked
        }
        asked = {name for name, _ in dns.queries}
        assert "10.2.0.192.dnsbl.sorbs.net" in asked   # every service was queried
