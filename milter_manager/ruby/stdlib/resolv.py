"""Resolv and Resolv::DNS (`ruby-subset.md` §8.4): a minimal UDP stub resolver.

Nameservers come from the file named by `MILTER_MANAGER_RESOLV_CONF`
(default /etc/resolv.conf; 127.0.0.1 when it lists none), or from the Hash
given to `Resolv::DNS.new`. Network waits release the interpreter lock."""

from __future__ import annotations

import ipaddress
import os
import random
import socket
import struct
import time
from typing import Any

from ..native import Registry, define_native
from ..objects import RArray, RHash, RObject, RString

reg = Registry()

TYPE_A, TYPE_PTR, TYPE_AAAA, TYPE_CNAME = 1, 12, 28, 5
DEFAULT_TIMEOUTS = [5.0]


def resolv_conf_path() -> str:
    return os.environ.get("MILTER_MANAGER_RESOLV_CONF", "/etc/resolv.conf")


def parse_nameserver(text: str) -> tuple[str, int]:
    """`ADDRESS`, or with a port (an extension for tests and local caches,
    never in a real resolv.conf): `ADDRESS#PORT` or `[ADDRESS]:PORT`."""
    if "#" in text:
        host, _, port = text.partition("#")
        return host, int(port)
    if text.startswith("[") and "]:" in text:
        host, _, port = text[1:].partition("]:")
        return host, int(port)
    return text, 53


def system_nameservers() -> list[tuple[str, int]]:
    servers = []
    try:
        with open(resolv_conf_path(), encoding="utf-8", errors="replace") as fh:
            for line in fh:
                parts = line.split()
                if len(parts) >= 2 and parts[0] == "nameserver":
                    try:
                        servers.append(parse_nameserver(parts[1]))
                    except ValueError:
                        continue
    except OSError:
        pass
    return servers or [("127.0.0.1", 53)]


def encode_name(name: str) -> bytes:
    out = b""
    for label in name.rstrip(".").split("."):
        if not label:
            continue
        raw = label.encode("idna") if not label.isascii() else label.encode()
        if len(raw) > 63:
            raise ValueError("label too long")
        out += bytes([len(raw)]) + raw
    return out + b"\0"


def build_query(qid: int, name: str, qtype: int) -> bytes:
    return struct.pack(">HHHHHH", qid, 0x0100, 1, 0, 0, 0) + encode_name(name) + \
        struct.pack(">HH", qtype, 1)


def read_name(data: bytes, pos: int) -> tuple[str, int]:
    labels = []
    jumped = False
    end = pos
    hops = 0
    while True:
        if pos >= len(data):
            raise ValueError("truncated name")
        n = data[pos]
        if n & 0xC0 == 0xC0:
            ptr = ((n & 0x3F) << 8) | data[pos + 1]
            if not jumped:
                end = pos + 2
            jumped = True
            pos = ptr
            hops += 1
            if hops > 50:
                raise ValueError("compression loop")
            continue
        if n == 0:
            if not jumped:
                end = pos + 1
            break
        labels.append(data[pos + 1:pos + 1 + n].decode("ascii", "replace"))
        pos += 1 + n
    return ".".join(labels), end


def parse_answers(data: bytes, qid: int) -> list[tuple[int, Any]] | None:
    """(type, value) answers, [] for no data, None for a bad or foreign reply."""
    if len(data) < 12:
        return None
    rid, flags, qd, an, _ns, _ar = struct.unpack(">HHHHHH", data[:12])
    if rid != qid or not flags & 0x8000:
        return None
    rcode = flags & 0xF
    if rcode not in (0, 3):
        return None
    pos = 12
    for _ in range(qd):
        _, pos = read_name(data, pos)
        pos += 4
    out: list[tuple[int, Any]] = []
    for _ in range(an):
        _, pos = read_name(data, pos)
        rtype, _cls, _ttl, rdlen = struct.unpack(">HHIH", data[pos:pos + 10])
        pos += 10
        rdata = data[pos:pos + rdlen]
        if rtype == TYPE_A and rdlen == 4:
            out.append((rtype, socket.inet_ntop(socket.AF_INET, rdata)))
        elif rtype == TYPE_AAAA and rdlen == 16:
            out.append((rtype, str(ipaddress.IPv6Address(rdata))))
        elif rtype in (TYPE_PTR, TYPE_CNAME):
            out.append((rtype, read_name(data, pos)[0]))
        pos += rdlen
    return out


class DNSTimeout(Exception):
    """No nameserver answered within the timeouts."""


def query(servers: list[tuple[str, int]], timeouts: list[float], name: str,
          qtype: int) -> list[tuple[int, Any]]:
    """The answers to NAME/QTYPE ([] for no data or NXDOMAIN); DNSTimeout
    when no nameserver answered in any attempt (as Ruby's resolver, which
    then raises instead of trying the next record type)."""
    for t in timeouts:
        for host, port in servers:
            qid = random.randrange(0, 0x10000)
            try:
                family = socket.AF_INET6 if ":" in host else socket.AF_INET
                with socket.socket(family, socket.SOCK_DGRAM) as s:
                    s.settimeout(t)
                    s.sendto(build_query(qid, name, qtype), (host, port))
                    deadline = time.monotonic() + t
                    while True:
                        left = deadline - time.monotonic()
                        if left <= 0:
                            break
                        s.settimeout(left)
                        data, _ = s.recvfrom(65535)
                        answers = parse_answers(data, qid)
                        if answers is not None:
                            return answers
            except (OSError, ValueError, struct.error):
                continue
    raise DNSTimeout(name)


class DNSConfig:
    def __init__(self) -> None:
        self.servers = system_nameservers()
        self.timeouts = list(DEFAULT_TIMEOUTS)


def hosts_lookup(key: str, by_address: bool) -> str | None:
    try:
        with open("/etc/hosts", encoding="utf-8", errors="replace") as fh:
            for line in fh:
                parts = line.split("#", 1)[0].split()
                if len(parts) < 2:
                    continue
                if by_address and parts[0] == key:
                    return parts[1]
                if not by_address and key in parts[1:]:
                    return parts[0]
    except OSError:
        pass
    return None


def reverse_name(ip: str) -> str | None:
    try:
        return ipaddress.ip_address(ip).reverse_pointer
    except ValueError:
        return None


@reg.setup
def _setup(interp: Any) -> None:
    resolv = interp.new_class("Resolv", interp.Object)
    interp.Object.consts["Resolv"] = resolv
    error = interp.new_class("Resolv::ResolvError", interp.StandardError, resolv)
    resolv.consts["ResolvError"] = error
    resolv.consts["ResolvTimeout"] = interp.new_class("Resolv::ResolvTimeout",
                                                      interp.StandardError, resolv)
    dns = interp.new_class("Resolv::DNS", interp.Object, resolv)
    resolv.consts["DNS"] = dns
    dns.allocator = lambda cls: RObject(cls, DNSConfig())
    ipv4 = interp.new_class("Resolv::IPv4", interp.Object, resolv)
    ipv6 = interp.new_class("Resolv::IPv6", interp.Object, resolv)
    resolv.consts["IPv4"] = ipv4
    resolv.consts["IPv6"] = ipv6

    def addr_obj(text: str) -> RObject:
        return RObject(ipv6 if ":" in text else ipv4, text)

    def addr_to_s(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
        return RString(self.payload)

    def addr_inspect(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
        return RString(f"#<{interp.class_name(self)} {self.payload}>")
    for cls in (ipv4, ipv6):
        define_native(interp, cls, "to_s", addr_to_s, arity=0)
        define_native(interp, cls, "inspect", addr_inspect, arity=0)

    def no_info(name: str) -> Any:
        return interp.error(error, f"DNS result has no information for {name}")

    def dns_init(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
        cfg: DNSConfig = self.payload
        conf = args[0] if args else None
        if isinstance(conf, RHash):
            from ..core.util import sym
            ns = conf.get(sym("nameserver"))
            nsp = conf.get(sym("nameserver_port"))
            if nsp is not None:
                cfg.servers = [(interp.to_s(f, p[0]), interp.to_int(f, p[1]))
                               for p in interp.to_ary(f, nsp)]
            elif ns is not None:
                items = list(ns) if isinstance(ns, RArray) else [ns]
                cfg.servers = [(interp.to_s(f, x), 53) for x in items]
        elif isinstance(conf, RString):
            cfg.servers = system_nameservers()
        return None

    def set_timeouts(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
        v = args[0]
        if v is None:
            self.payload.timeouts = list(DEFAULT_TIMEOUTS)
        elif isinstance(v, RArray):
            self.payload.timeouts = [interp.to_f(f, x) for x in v]
        else:
            self.payload.timeouts = [interp.to_f(f, v)]
        return v

    def lookup_addresses(cfg: DNSConfig, name: str) -> list[str]:
        """A records, then AAAA; a timeout ends the lookup with nothing."""
        with interp.released():
            try:
                answers = query(cfg.servers, cfg.timeouts, name, TYPE_A)
                found = [v for t, v in answers if t == TYPE_A]
                if not found:
                    answers = query(cfg.servers, cfg.timeouts, name, TYPE_AAAA)
                    found = [v for t, v in answers if t == TYPE_AAAA]
            except DNSTimeout:
                found = []
        return found

    def getaddress(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
        name = interp.to_s(f, args[0])
        found = lookup_addresses(self.payload, name)
        if f.ts.killed:
            f.ts.checkpoint(f)
        if not found:
            raise no_info(name)
        return addr_obj(found[0])

    def getaddresses(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
        name = interp.to_s(f, args[0])
        return RArray(addr_obj(a) for a in lookup_addresses(self.payload, name))

    def getname(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
        ip = interp.to_s(f, args[0])
        rev = reverse_name(ip)
        if rev is None:
            raise no_info(ip)
        cfg = self.payload
        with interp.released():
            try:
                answers = query(cfg.servers, cfg.timeouts, rev, TYPE_PTR)
            except DNSTimeout:
                answers = []
        names = [v for t, v in answers if t == TYPE_PTR]
        if not names:
            raise no_info(ip)
        return RString(names[0])

    def close(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
        return None
    define_native(interp, dns, "initialize", dns_init, arity=(0, 1), visibility="private")
    define_native(interp, dns, "timeouts=", set_timeouts, arity=1)
    define_native(interp, dns, "getaddress", getaddress, arity=1)
    define_native(interp, dns, "getaddresses", getaddresses, arity=1)
    define_native(interp, dns, "getname", getname, arity=1)
    define_native(interp, dns, "close", close, arity=0)

    single = interp.singleton_class(None, resolv)

    def r_getname(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
        ip = interp.to_s(f, args[0])
        name = hosts_lookup(ip, True)
        if name is None:
            rev = reverse_name(ip)
            if rev is not None:
                with interp.released():
                    try:
                        answers = query(system_nameservers(), DEFAULT_TIMEOUTS, rev, TYPE_PTR)
                    except DNSTimeout:
                        answers = []
                names = [v for t, v in answers if t == TYPE_PTR]
                name = names[0] if names else None
        if name is None:
            raise interp.error(error, f"no name for {ip}")
        return RString(name)

    def r_getaddress(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
        name = interp.to_s(f, args[0])
        addr = hosts_lookup(name, False)
        if addr is None:
            found = lookup_addresses(DNSConfig(), name)
            addr = found[0] if found else None
        if addr is None:
            raise interp.error(error, f"no address for {name}")
        return RString(addr)
    define_native(interp, single, "getname", r_getname, arity=1, label="Resolv.getname")
    define_native(interp, single, "getaddress", r_getaddress, arity=1, label="Resolv.getaddress")
