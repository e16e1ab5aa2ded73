"""Time (`ruby-subset.md` §8.2): an instant (seconds since the epoch) and a UTC
offset; local time follows the process time zone (TZ)."""

from __future__ import annotations

import calendar
import math
import time as pytime
from typing import Any

from ..native import Registry, define_native
from ..objects import RObject, RString

reg = Registry()
T = "Time"

DAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December"]


class TimeValue:
    def __init__(self, secs: int, nsec: int, utc: bool, offset: int, zone: str) -> None:
        self.secs = secs          # whole seconds since the epoch
        self.nsec = nsec          # 0 <= nsec < 1e9
        self.utc = utc
        self.offset = offset      # seconds east of UTC
        self.zone = zone

    @property
    def fields(self) -> pytime.struct_time:
        return pytime.gmtime(self.secs + self.offset)


def local_value(secs: int, nsec: int) -> TimeValue:
    lt = pytime.localtime(secs)
    return TimeValue(secs, nsec, False, lt.tm_gmtoff, lt.tm_zone)


def make_time(interp: Any, t: float) -> RObject:
    secs = math.floor(t)
    nsec = round((t - secs) * 1e9)
    if nsec >= 1_000_000_000:
        secs += 1
        nsec -= 1_000_000_000
    return RObject(interp.Object.consts["Time"], local_value(secs, nsec))


def _new(interp: Any, v: TimeValue) -> RObject:
    return RObject(interp.Object.consts["Time"], v)


def _tv(f: Any, obj: Any) -> TimeValue:
    if isinstance(obj, RObject) and isinstance(obj.payload, TimeValue):
        return obj.payload
    raise f.interp.error("TypeError", f"can't convert {f.interp.class_name(obj)} into an exact "
                         f"number")


def format_offset(off: int, colon: bool = False) -> str:
    sign = "+" if off >= 0 else "-"
    off = abs(off)
    h, m = divmod(off // 60, 60)
    return f"{sign}{h:02d}{':' if colon else ''}{m:02d}"


def strftime(v: TimeValue, fmt: str) -> str:
    st = v.fields
    out = []
    i = 0
    n = len(fmt)
    while i < n:
        c = fmt[i]
        if c != "%" or i + 1 >= n:
            out.append(c)
            i += 1
            continue
        j = i + 1
        flags = ""
        while j < n and fmt[j] in "-_0^#:":
            flags += fmt[j]
            j += 1
        width = ""
        while j < n and fmt[j].isdigit():
            width += fmt[j]
            j += 1
        if j >= n:
            out.append(fmt[i:])
            break
        d = fmt[j]
        i = j + 1

        def num(value: int, w: int, pad: str = "0", flags: str = flags,
                width: str = width) -> str:
            if "-" in flags:
                return str(value)
            if "_" in flags:
                pad = " "
            if "0" in flags:
                pad = "0"
            ww = int(width) if width else w
            return str(value).rjust(ww, pad)

        def text(s: str, flags: str = flags, width: str = width) -> str:
            if "^" in flags:
                s = s.upper()
            if "#" in flags:
                s = s.swapcase()
            return s.rjust(int(width)) if width else s
        if d == "Y":
            out.append(num(st.tm_year, 4 if st.tm_year >= 0 else 5))
        elif d == "C":
            out.append(num(st.tm_year // 100, 2))
        elif d == "y":
            out.append(num(st.tm_year % 100, 2))
        elif d == "m":
            out.append(num(st.tm_mon, 2))
        elif d == "d":
            out.append(num(st.tm_mday, 2))
        elif d == "e":
            out.append(num(st.tm_mday, 2, " "))
        elif d == "j":
            out.append(num(st.tm_yday, 3))
        elif d == "H":
            out.append(num(st.tm_hour, 2))
        elif d == "k":
            out.append(num(st.tm_hour, 2, " "))
        elif d == "I":
            out.append(num((st.tm_hour % 12) or 12, 2))
        elif d == "l":
            out.append(num((st.tm_hour % 12) or 12, 2, " "))
        elif d == "M":
            out.append(num(st.tm_min, 2))
        elif d == "S":
            out.append(num(st.tm_sec, 2))
        elif d == "L":
            w = int(width) if width else 3
            out.append(f"{v.nsec:09d}"[:w].ljust(w, "0"))
        elif d == "N":
            w = int(width) if width else 9
            out.append(f"{v.nsec:09d}"[:w].ljust(w, "0"))
        elif d == "z":
            out.append(format_offset(v.offset, ":" in flags))
        elif d == "Z":
            out.append(text("UTC" if v.utc else v.zone))
        elif d == "A":
            out.append(text(DAYS[(st.tm_wday + 1) % 7]))
        elif d == "a":
            out.append(text(DAYS[(st.tm_wday + 1) % 7][:3]))
        elif d == "B":
            out.append(text(MONTHS[st.tm_mon - 1]))
        elif d in "bh":
            out.append(text(MONTHS[st.tm_mon - 1][:3]))
        elif d == "p":
            out.append(text("AM" if st.tm_hour < 12 else "PM") if "#" not in flags
                       else ("am" if st.tm_hour < 12 else "pm"))
        elif d == "P":
            out.append("am" if st.tm_hour < 12 else "pm")
        elif d == "u":
            out.append(str(st.tm_wday + 1))
        elif d == "w":
            out.append(str((st.tm_wday + 1) % 7))
        elif d == "s":
            out.append(str(v.secs))
        elif d == "F":
            out.append(f"{st.tm_year:04d}-{st.tm_mon:02d}-{st.tm_mday:02d}")
        elif d == "D" or d == "x":
            out.append(f"{st.tm_mon:02d}/{st.tm_mday:02d}/{st.tm_year % 100:02d}")
        elif d == "T" or d == "X":
            out.append(f"{st.tm_hour:02d}:{st.tm_min:02d}:{st.tm_sec:02d}")
        elif d == "R":
            out.append(f"{st.tm_hour:02d}:{st.tm_min:02d}")
        elif d == "r":
            out.append(f"{(st.tm_hour % 12) or 12:02d}:{st.tm_min:02d}:{st.tm_sec:02d} "
                       f"{'AM' if st.tm_hour < 12 else 'PM'}")
        elif d == "c":
            out.append(strftime(v, "%a %b %e %H:%M:%S %Y"))
        elif d == "U":
            out.append(num(int(pytime.strftime("%U", st)), 2))
        elif d == "W":
            out.append(num(int(pytime.strftime("%W", st)), 2))
        elif d == "G":
            out.append(pytime.strftime("%G", st))
        elif d == "V":
            out.append(num(int(pytime.strftime("%V", st)), 2))
        elif d == "n":
            out.append("\n")
        elif d == "t":
            out.append("\t")
        elif d == "%":
            out.append("%")
        else:
            out.append(fmt[i - 1 - len(flags) - len(width) - 1:i])
    return "".join(out)


def time_to_s(v: TimeValue) -> str:
    base = strftime(v, "%Y-%m-%d %H:%M:%S")
    return base + (" UTC" if v.utc else " " + format_offset(v.offset))


def time_inspect(v: TimeValue) -> str:
    base = strftime(v, "%Y-%m-%d %H:%M:%S")
    if v.nsec:
        frac = f"{v.nsec:09d}".rstrip("0")
        base += "." + frac
    return base + (" UTC" if v.utc else " " + format_offset(v.offset))


@reg.setup
def _setup(interp: Any) -> None:
    tc = interp.new_class("Time", interp.Object)
    tc.includes.append(interp.Comparable)
    interp.Object.consts["Time"] = tc
    single = interp.singleton_class(None, tc)

    def now(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
        ns = pytime.time_ns()
        return _new(interp, local_value(ns // 1_000_000_000, ns % 1_000_000_000))

    def at(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
        t = args[0]
        if isinstance(t, RObject) and isinstance(t.payload, TimeValue):
            p = t.payload
            return _new(interp, TimeValue(p.secs, p.nsec, p.utc, p.offset, p.zone))
        if t.__class__ not in (int, float):
            raise interp.error("TypeError", f"can't convert {interp.class_name(t)} into an "
                               f"exact number")
        secs = math.floor(t)
        nsec = round((t - secs) * 1e9)
        if len(args) > 1:
            nsec += int(args[1] * 1000)
        return _new(interp, local_value(secs, nsec))

    def civil(utc: bool) -> Any:
        def native(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
            if not args:
                return now(f, self, args, kw, blk)
            vals = [interp.to_int(f, a) if a.__class__ is not float else a for a in args[:6]]
            while len(vals) < 6:
                vals.append(1 if len(vals) < 3 else 0)
            y, mo, d, h, mi, s = vals
            sec_i = math.floor(s)
            nsec = round((s - sec_i) * 1e9)
            tup = (y, mo, d, h, mi, sec_i, 0, 0, -1)
            if utc:
                secs = calendar.timegm(tup)
                return _new(interp, TimeValue(secs, nsec, True, 0, "UTC"))
            secs = int(pytime.mktime(tup))
            return _new(interp, local_value(secs, nsec))
        return native
    define_native(interp, single, "now", now, arity=0, label="Time.now")
    define_native(interp, single, "at", at, arity=(1, 2), label="Time.at")
    for n in ("utc", "gm"):
        define_native(interp, single, n, civil(True), arity=(1, 7), label=f"Time.{n}")
    for n in ("local", "mktime", "new"):
        define_native(interp, single, n, civil(False), arity=(0, 7), label=f"Time.{n}")


def _field(name: str, fn: Any) -> None:
    def native(f: Any, self: RObject, args: list, kw: Any, blk: Any) -> Any:
        return fn(_tv(f, self))
    reg.method(T, *name.split(), arity=0)(native)


@reg.setup
def _fields(interp: Any) -> None:
    _field("year", lambda v: v.fields.tm_year)
    _field("month mon", lambda v: v.fields.tm_mon)
    _field("day mday", lambda v: v.fields.tm_mday)
    _field("hour", lambda v: v.fields.tm_hour)
    _field("min", lambda v: v.fields.tm_min)
    _field("sec", lambda v: v.fields.tm_sec)
    _field("usec tv_usec", lambda v: v.nsec // 1000)
    _field("nsec tv_nsec", lambda v: v.nsec)
    _field("wday", lambda v: (v.fields.tm_wday + 1) % 7)
    _field("yday", lambda v: v.fields.tm_yday)
    _field("to_i tv_sec", lambda v: v.secs)
    _field("to_f", lambda v: v.secs + v.nsec / 1e9)
    _field("utc? gmt?", lambda v: v.utc)
    _field("utc_offset gmt_offset gmtoff", lambda v: v.offset)
    _field("zone", lambda v: RString("UTC") if v.utc else RString(v.zone))
    _field("to_s", lambda v: RString(time_to_s(v)))
    _field("inspect", lambda v: RString(time_inspect(v)))
    _field("hash", lambda v: hash((v.secs, v.nsec)))
    _field("monday?", lambda v: v.fields.tm_wday == 0)
    _field("sunday?", lambda v: v.fields.tm_wday == 6)
    _field("saturday?", lambda v: v.fields.tm_wday == 5)


@reg.method(T, "strftime", arity=1)
def strftime_(f: Any, self: RObject, args: list, kw: Any, blk: Any) -> Any:
    return RString(strftime(_tv(f, self), f.interp.to_str(f, args[0])))


@reg.method(T, "utc", "gmtime", "getutc", "getgm", arity=0)
def utc(f: Any, self: RObject, args: list, kw: Any, blk: Any) -> Any:
    v = _tv(f, self)
    new = TimeValue(v.secs, v.nsec, True, 0, "UTC")
    if f.interp.find_method(f.interp.class_of(self), "utc") is not None and False:
        pass
    self.payload = new
    return self


@reg.method(T, "localtime", "getlocal", arity=(0, 1))
def localtime(f: Any, self: RObject, args: list, kw: Any, blk: Any) -> Any:
    v = _tv(f, self)
    self.payload = local_value(v.secs, v.nsec)
    return self


@reg.method(T, "+", arity=1)
def plus(f: Any, self: RObject, args: list, kw: Any, blk: Any) -> Any:
    v = _tv(f, self)
    d = args[0]
    if isinstance(d, RObject):
        raise f.interp.error("TypeError", "time + time?")
    total = v.secs * 1_000_000_000 + v.nsec + round(f.interp.to_f(f, d) * 1e9)
    secs, nsec = divmod(total, 1_000_000_000)
    nv = TimeValue(secs, nsec, v.utc, 0, "UTC") if v.utc else local_value(secs, nsec)
    return _new(f.interp, nv)


@reg.method(T, "-", arity=1)
def minus(f: Any, self: RObject, args: list, kw: Any, blk: Any) -> Any:
    v = _tv(f, self)
    d = args[0]
    if isinstance(d, RObject) and isinstance(d.payload, TimeValue):
        o = d.payload
        return ((v.secs - o.secs) * 1_000_000_000 + (v.nsec - o.nsec)) / 1e9
    return plus(f, self, [-f.interp.to_f(f, d)], kw, blk)


@reg.method(T, "<=>", arity=1)
def cmp(f: Any, self: RObject, args: list, kw: Any, blk: Any) -> Any:
    o = args[0]
    if not (isinstance(o, RObject) and isinstance(o.payload, TimeValue)):
        return None
    a, b = _tv(f, self), o.payload
    x, y = (a.secs, a.nsec), (b.secs, b.nsec)
    return (x > y) - (x < y)


@reg.method(T, "==", "eql?", arity=1)
def eq(f: Any, self: RObject, args: list, kw: Any, blk: Any) -> Any:
    return cmp(f, self, args, kw, blk) == 0


@reg.method(T, "to_a", arity=0)
def to_a(f: Any, self: RObject, args: list, kw: Any, blk: Any) -> Any:
    from ..objects import RArray
    v = _tv(f, self)
    st = v.fields
    return RArray([st.tm_sec, st.tm_min, st.tm_hour, st.tm_mday, st.tm_mon, st.tm_year,
                   (st.tm_wday + 1) % 7, st.tm_yday, False,
                   RString("UTC" if v.utc else v.zone)])
