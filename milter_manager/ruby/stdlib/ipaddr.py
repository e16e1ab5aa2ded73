"""IPAddr (`ruby-subset.md` §8.3): an address and a prefix length; host bits
cleared by the prefix."""

from __future__ import annotations

import ipaddress
from typing import Any

from ..native import Registry, define_native
from ..objects import RObject, RRange, RString

reg = Registry()
IP = "IPAddr"


class IPValue:
    def __init__(self, addr: int, version: int, prefix: int) -> None:
        self.addr = addr
        self.version = version
        self.prefix = prefix

    @property
    def bits(self) -> int:
        return 32 if self.version == 4 else 128

    def mask_int(self) -> int:
        return ((1 << self.bits) - 1) ^ ((1 << (self.bits - self.prefix)) - 1)

    def contains(self, other: IPValue) -> bool:
        if other.version != self.version:
            return False
        m = self.mask_int()
        return (other.addr & m) == (self.addr & m)

    def text(self) -> str:
        if self.version == 4:
            return str(ipaddress.IPv4Address(self.addr))
        return compress_ipv6(self.full(self.addr))

    def full(self, value: int) -> str:
        if self.version == 4:
            return str(ipaddress.IPv4Address(value))
        h = f"{value:032x}"
        return ":".join(h[i:i + 4] for i in range(0, 32, 4))


def compress_ipv6(full: str) -> str:
    """Ruby's IPAddr#to_s: drop leading zeros, replace the leftmost longest
    run of two or more zero groups by `::`, show IPv4-mapped/compatible
    addresses dotted."""
    import re
    s = re.sub(r"\b0{1,3}([0-9a-f]+)\b", r"\1", full, flags=re.IGNORECASE)
    if s == "0:0:0:0:0:0:0:0":
        s = "::"
    else:
        for n in range(7, 1, -1):
            run = r"\b" + ":".join(["0"] * n) + r"\b"
            new = re.sub(run, ":", s, count=1)
            if new != s:
                s = new
                break
    s = re.sub(r":{3,}", "::", s)
    m = re.fullmatch(r"::(ffff:)?([0-9a-f]{1,4}):([0-9a-f]{1,4})", s, flags=re.IGNORECASE)
    if m:
        a, b = int(m.group(2), 16), int(m.group(3), 16)
        s = f"::{m.group(1) or ''}{a // 256}.{a % 256}.{b // 256}.{b % 256}"
    return s


def parse(text: str) -> IPValue | None:
    addr_text, _, mask_text = text.partition("/")
    addr_text = addr_text.strip()
    if addr_text.startswith("[") and addr_text.endswith("]"):
        addr_text = addr_text[1:-1]
    try:
        ip = ipaddress.ip_address(addr_text.split("%")[0])
    except ValueError:
        return None
    v = IPValue(int(ip), ip.version, ip.max_prefixlen)
    if mask_text:
        if mask_text.isdigit():
            n = int(mask_text)
            if n > v.bits:
                return None
            v.prefix = n
        else:
            try:
                m = ipaddress.ip_address(mask_text)
            except ValueError:
                return None
            if m.version != v.version:
                return None
            mi = int(m)
            n = (mi).bit_count()
            v.prefix = n
            if IPValue(0, v.version, n).mask_int() != mi:
                return None
        v.addr &= v.mask_int()
    return v


def _obj(interp: Any, v: IPValue) -> RObject:
    return RObject(interp.Object.consts["IPAddr"], v)


def coerce(f: Any, x: Any) -> IPValue | None:
    interp = f.interp
    if isinstance(x, RObject) and isinstance(x.payload, IPValue):
        return x.payload
    if isinstance(x, RString):
        return parse(x.s)
    if x.__class__ is int:
        return IPValue(x, 4 if x < (1 << 32) else 6, 32 if x < (1 << 32) else 128)
    if x is not None and interp.respond_to(f, x, "to_ip_address"):
        return coerce(f, interp.send(f, x, "to_ip_address", []))
    return None


def _v(self: RObject) -> IPValue:
    return self.payload


@reg.setup
def _setup(interp: Any) -> None:
    klass = interp.new_class("IPAddr", interp.Object)
    klass.includes.append(interp.Comparable)
    interp.Object.consts["IPAddr"] = klass
    klass.consts["InvalidAddressError"] = interp.new_class(
        "IPAddr::InvalidAddressError", interp.ArgumentError, klass)
    klass.consts["AddressFamilyError"] = interp.new_class(
        "IPAddr::AddressFamilyError", interp.ArgumentError, klass)
    klass.consts["InvalidPrefixError"] = interp.new_class(
        "IPAddr::InvalidPrefixError", klass.consts["InvalidAddressError"], klass)
    import socket
    klass.consts["AF_INET"] = socket.AF_INET
    klass.consts["AF_INET6"] = socket.AF_INET6
    single = interp.singleton_class(None, klass)

    def new(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
        if not args:
            return _obj(interp, IPValue(0, 4, 0))
        a = args[0]
        if a.__class__ is int:
            fam = args[1] if len(args) > 1 else socket.AF_INET
            v = IPValue(a, 4 if fam == socket.AF_INET else 6, 32 if fam == socket.AF_INET else 128)
            return _obj(interp, v)
        text = interp.to_str(f, a)
        v = parse(text)
        if v is None:
            raise interp.error(klass.consts["InvalidAddressError"], f"invalid address: {text}")
        return _obj(interp, v)
    define_native(interp, single, "new", new, arity=(0, 2), label="IPAddr.new")


@reg.method(IP, "include?", "===", "member?", arity=1)
def include(f: Any, self: RObject, args: list, kw: Any, blk: Any) -> Any:
    other = coerce(f, args[0])
    if other is None:
        if isinstance(args[0], RString):
            return False
        return False
    return _v(self).contains(other)


@reg.method(IP, "to_s", arity=0)
def to_s(f: Any, self: RObject, args: list, kw: Any, blk: Any) -> Any:
    return RString(_v(self).text())


@reg.method(IP, "to_string", arity=0)
def to_string(f: Any, self: RObject, args: list, kw: Any, blk: Any) -> Any:
    v = _v(self)
    return RString(v.full(v.addr))


@reg.method(IP, "inspect", arity=0)
def inspect(f: Any, self: RObject, args: list, kw: Any, blk: Any) -> Any:
    v = _v(self)
    fam = "IPv4" if v.version == 4 else "IPv6"
    return RString(f"#<IPAddr: {fam}:{v.full(v.addr)}/{v.full(v.mask_int())}>")


@reg.method(IP, "ipv4?", arity=0)
def ipv4(f: Any, self: RObject, args: list, kw: Any, blk: Any) -> Any:
    return _v(self).version == 4


@reg.method(IP, "ipv6?", arity=0)
def ipv6(f: Any, self: RObject, args: list, kw: Any, blk: Any) -> Any:
    return _v(self).version == 6


@reg.method(IP, "prefix", arity=0)
def prefix(f: Any, self: RObject, args: list, kw: Any, blk: Any) -> Any:
    return _v(self).prefix


@reg.method(IP, "to_i", "hash", arity=0)
def to_i(f: Any, self: RObject, args: list, kw: Any, blk: Any) -> Any:
    return _v(self).addr


@reg.method(IP, "family", arity=0)
def family(f: Any, self: RObject, args: list, kw: Any, blk: Any) -> Any:
    import socket
    return socket.AF_INET if _v(self).version == 4 else socket.AF_INET6


@reg.method(IP, "mask", arity=1)
def mask(f: Any, self: RObject, args: list, kw: Any, blk: Any) -> Any:
    v = _v(self)
    a = args[0]
    if isinstance(a, RString):
        probe = parse(f"{v.text()}/{a.s}")
        if probe is None:
            raise f.interp.error(f.interp.Object.consts["IPAddr"].consts["InvalidPrefixError"],
                                 f"invalid mask {a.s}")
        n = probe.prefix
    else:
        n = f.interp.to_int(f, a)
    if n < 0 or n > v.bits:
        raise f.interp.error(f.interp.Object.consts["IPAddr"].consts["InvalidPrefixError"],
                             f"invalid length {n}")
    nv = IPValue(v.addr, v.version, n)
    nv.addr &= nv.mask_int()
    return _obj(f.interp, nv)


@reg.method(IP, "to_range", arity=0)
def to_range(f: Any, self: RObject, args: list, kw: Any, blk: Any) -> Any:
    v = _v(self)
    lo = v.addr & v.mask_int()
    hi = lo | (((1 << v.bits) - 1) ^ v.mask_int())
    return RRange(_obj(f.interp, IPValue(lo, v.version, v.bits)),
                  _obj(f.interp, IPValue(hi, v.version, v.bits)), False)


@reg.method(IP, "succ", arity=0)
def succ(f: Any, self: RObject, args: list, kw: Any, blk: Any) -> Any:
    v = _v(self)
    return _obj(f.interp, IPValue(v.addr + 1, v.version, v.prefix))


def _net_test(nets4: list[str], nets6: list[str]) -> Any:
    n4 = [ipaddress.ip_network(n) for n in nets4]
    n6 = [ipaddress.ip_network(n) for n in nets6]

    def native(f: Any, self: RObject, args: list, kw: Any, blk: Any) -> Any:
        v = _v(self)
        if v.version == 4:
            a = ipaddress.IPv4Address(v.addr)
            return any(a in n for n in n4)
        a6 = ipaddress.IPv6Address(v.addr)
        if a6.ipv4_mapped is not None:
            return any(a6.ipv4_mapped in n for n in n4)
        return any(a6 in n for n in n6)
    return native


@reg.setup
def _predicates(interp: Any) -> None:
    reg.method(IP, "private?", arity=0)(
        _net_test(["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"], ["fc00::/7"]))
    reg.method(IP, "loopback?", arity=0)(_net_test(["127.0.0.0/8"], ["::1/128"]))
    reg.method(IP, "link_local?", arity=0)(_net_test(["169.254.0.0/16"], ["fe80::/10"]))


@reg.method(IP, "==", "eql?", arity=1)
def eq(f: Any, self: RObject, args: list, kw: Any, blk: Any) -> Any:
    o = coerce(f, args[0]) if not (args[0] is None) else None
    v = _v(self)
    return o is not None and o.version == v.version and o.addr == v.addr


@reg.method(IP, "<=>", arity=1)
def cmp(f: Any, self: RObject, args: list, kw: Any, blk: Any) -> Any:
    o = coerce(f, args[0])
    v = _v(self)
    if o is None or o.version != v.version:
        return None
    return (v.addr > o.addr) - (v.addr < o.addr)


@reg.method(IP, "reverse", arity=0)
def reverse(f: Any, self: RObject, args: list, kw: Any, blk: Any) -> Any:
    v = _v(self)
    if v.version == 4:
        return RString(".".join(reversed(v.text().split("."))) + ".in-addr.arpa")
    h = f"{v.addr:032x}"
    return RString(".".join(reversed(h)) + ".ip6.arpa")


@reg.method(IP, "to_ip_address", arity=0)
def to_ip(f: Any, self: RObject, args: list, kw: Any, blk: Any) -> Any:
    return self
