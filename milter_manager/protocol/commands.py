"""Commands (MTA -> milter): typed packets, their encoders and decoders (protocol.md §3).

Every string stays `bytes`; the codec never decodes text. Each class knows its
code byte and its nick (§2.1). Decoders take the payload (the bytes after the
code byte) and raise only `ProtocolError`.
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import ClassVar

from .addresses import (
    FAMILIES,
    FAMILY_UNKNOWN,
    check_address,
    format_address,
    parse_address,
    wire_address,
)
from .errors import ProtocolError, show, show_code
from .wire import U16, U32, check_string, empty, frame, strings

_OPTION = struct.Struct(">III")

#: §5: the contexts a `D` may carry, in the order lookups walk them.
MACRO_CONTEXTS = b"CHMRTLNBEU"

COMMAND_NICKS: dict[bytes, str] = {
    b"O": "negotiate", b"D": "define-macro", b"C": "connect", b"H": "helo",
    b"M": "envelope-from", b"R": "envelope-recipient", b"T": "data", b"L": "header",
    b"N": "end-of-header", b"B": "body", b"E": "end-of-message", b"A": "abort",
    b"Q": "quit", b"U": "unknown", b"K": "quit-new-connection",
}


def _option_bytes(version: int, actions: int, steps: int,
                  macro_requests: tuple[tuple[int, tuple[bytes, ...]], ...]) -> bytes:
    try:
        payload = _OPTION.pack(version, actions, steps)
    except struct.error as error:  # a field outside u32
        raise ProtocolError(f"negotiate: field out of range: {error}") from None
    if macro_requests:
        parts = [payload]
        for stage, symbols in macro_requests:
            for symbol in symbols:
                if not symbol or b"\0" in symbol or b" " in symbol:
                    raise ProtocolError(f"negotiate: invalid macro symbol: <{show(symbol)}>")
            parts.append(U32.pack(stage) + b" ".join(symbols) + b"\0")
        payload = b"".join(parts)
    return payload


@dataclass(slots=True)
class Negotiate:
    """`O`: the option offer (§3); as a reply see `NegotiateReply`."""

    wire_code: ClassVar[bytes] = b"O"
    nick: ClassVar[str] = "negotiate"
    version: int
    actions: int
    steps: int
    #: (stage, symbols) pairs, as in a negotiate reply (§6.5); empty in an offer.
    macro_requests: tuple[tuple[int, tuple[bytes, ...]], ...] = ()

    def encode(self) -> bytes:
        return frame(b"O", _option_bytes(self.version, self.actions, self.steps,
                                         self.macro_requests))


def macro_key(name: bytes) -> bytes:
    """§3.4: a one-byte key is written bare, a longer one in braces, `{…` unchanged."""
    if len(name) == 1 or name[:1] == b"{":
        return name
    return b"{" + name + b"}"


@dataclass(slots=True)
class DefineMacro:
    """`D`: one context's macro table; keys are stored without braces (§3).

    `encode` writes the pairs in the order of `macros` (a decoded `D` re-encodes
    to the bytes it came from); `macros.define_macro` builds the sorted form the
    manager writes (§3.4).
    """

    wire_code: ClassVar[bytes] = b"D"
    nick: ClassVar[str] = "define-macro"
    context: bytes
    macros: dict[bytes, bytes] = field(default_factory=dict)

    @property
    def context_nick(self) -> str:
        return COMMAND_NICKS.get(self.context, show(self.context))

    def encode(self) -> bytes:
        if len(self.context) != 1 or self.context not in MACRO_CONTEXTS:
            raise ProtocolError(f"unknown macro context: {show(self.context)}")
        parts = [self.context]
        for name, value in self.macros.items():
            if not name:
                continue  # §3.4: an empty key is skipped
            check_string("define-macro", "macro name", name)
            check_string("define-macro", "macro value", value, allow_empty=True)
            parts += (macro_key(name), b"\0", value, b"\0")
        return frame(b"D", b"".join(parts))


@dataclass(slots=True)
class Connect:
    """`C`: host name, family (`4`, `6`, `L`, `U`), port and address as on the wire."""

    wire_code: ClassVar[bytes] = b"C"
    nick: ClassVar[str] = "connect"
    hostname: bytes
    family: bytes
    port: int
    address: bytes

    @property
    def address_text(self) -> str:
        """`inet:PORT@[IPV4]`, `inet6:PORT@[IPV6]`, `unix:PATH` or `unknown` (§3.3)."""
        return format_address(self.family, self.port, self.address)

    @classmethod
    def from_text(cls, hostname: bytes, address: str) -> Connect:
        """A `C` from a host name and an address text form (§3.3; scenarios.md §4.3)."""
        family, port, wire = parse_address(address)
        return cls(hostname, family, port, wire)

    def for_child(self) -> Connect:
        """The `C` the MTA role writes (§3.3): IPv6 gains its `IPv6:` prefix."""
        return Connect(self.hostname, self.family, self.port,
                       wire_address(self.family, self.address))

    def encode(self) -> bytes:
        check_string("connect", "host name", self.hostname)
        if self.family == FAMILY_UNKNOWN:
            return frame(b"C", self.hostname + b"\0U")
        if self.family not in FAMILIES:
            raise ProtocolError(f"unexpected family on connect command: "
                                f"<{show(self.hostname)}>: <{show(self.family)}>")
        check_string("connect", "address", self.address)
        if not 0 <= self.port <= 0xFFFF:
            raise ProtocolError(f"connect: port out of range: {self.port}")
        return frame(b"C", b"".join((self.hostname, b"\0", self.family,
                                     U16.pack(self.port), self.address, b"\0")))


@dataclass(slots=True)
class Helo:
    wire_code: ClassVar[bytes] = b"H"
    nick: ClassVar[str] = "helo"
    fqdn: bytes

    def encode(self) -> bytes:
        check_string("helo", "FQDN", self.fqdn)
        return frame(b"H", self.fqdn + b"\0")


def _envelope(code: bytes, nick: str, address: bytes, args: tuple[bytes, ...]) -> bytes:
    check_string(nick, "address", address)
    for arg in args:
        check_string(nick, "ESMTP argument", arg, allow_empty=True)
    if not args:
        return frame(code, address + b"\0")
    return frame(code, b"\0".join((address, *args)) + b"\0")


@dataclass(slots=True)
class EnvelopeFrom:
    """`M`: sender and its ESMTP arguments (§3.1, [deviation] P3: arguments are kept)."""

    wire_code: ClassVar[bytes] = b"M"
    nick: ClassVar[str] = "envelope-from"
    address: bytes
    args: tuple[bytes, ...] = ()

    def encode(self) -> bytes:
        return _envelope(b"M", "envelope-from", self.address, self.args)


@dataclass(slots=True)
class EnvelopeRecipient:
    """`R`: recipient and its ESMTP arguments (§3.1)."""

    wire_code: ClassVar[bytes] = b"R"
    nick: ClassVar[str] = "envelope-recipient"
    address: bytes
    args: tuple[bytes, ...] = ()

    def encode(self) -> bytes:
        return _envelope(b"R", "envelope-recipient", self.address, self.args)


@dataclass(slots=True)
class Header:
    wire_code: ClassVar[bytes] = b"L"
    nick: ClassVar[str] = "header"
    name: bytes
    value: bytes

    def encode(self) -> bytes:
        check_string("header", "name", self.name)
        check_string("header", "value", self.value, allow_empty=True)
        return frame(b"L", b"".join((self.name, b"\0", self.value, b"\0")))


@dataclass(slots=True)
class Body:
    """`B`: one body chunk as is; `wire.MILTER_CHUNK_SIZE` bounds what the MTA role writes (§9)."""

    wire_code: ClassVar[bytes] = b"B"
    nick: ClassVar[str] = "body"
    chunk: bytes

    def encode(self) -> bytes:
        return frame(b"B", self.chunk)


@dataclass(slots=True)
class EndOfMessage:
    """`E`: an empty chunk means "no final chunk" (§3)."""

    wire_code: ClassVar[bytes] = b"E"
    nick: ClassVar[str] = "end-of-message"
    chunk: bytes = b""

    def encode(self) -> bytes:
        return frame(b"E", self.chunk)


@dataclass(slots=True)
class Unknown:
    wire_code: ClassVar[bytes] = b"U"
    nick: ClassVar[str] = "unknown"
    command: bytes

    def encode(self) -> bytes:
        check_string("unknown", "command", self.command)
        return frame(b"U", self.command + b"\0")


@dataclass(slots=True)
class Data:
    wire_code: ClassVar[bytes] = b"T"
    nick: ClassVar[str] = "data"

    def encode(self) -> bytes:
        return _DATA


@dataclass(slots=True)
class EndOfHeader:
    wire_code: ClassVar[bytes] = b"N"
    nick: ClassVar[str] = "end-of-header"

    def encode(self) -> bytes:
        return _END_OF_HEADER


@dataclass(slots=True)
class Abort:
    wire_code: ClassVar[bytes] = b"A"
    nick: ClassVar[str] = "abort"

    def encode(self) -> bytes:
        return _ABORT


@dataclass(slots=True)
class Quit:
    wire_code: ClassVar[bytes] = b"Q"
    nick: ClassVar[str] = "quit"

    def encode(self) -> bytes:
        return _QUIT


@dataclass(slots=True)
class QuitNewConnection:
    """`K`: handled like `Q` ([deviation] P4: upstream cannot decode it)."""

    wire_code: ClassVar[bytes] = b"K"
    nick: ClassVar[str] = "quit-new-connection"

    def encode(self) -> bytes:
        return _QUIT_NEW_CONNECTION


_DATA, _END_OF_HEADER, _ABORT = frame(b"T"), frame(b"N"), frame(b"A")
_QUIT, _QUIT_NEW_CONNECTION = frame(b"Q"), frame(b"K")

Command = (Negotiate | DefineMacro | Connect | Helo | EnvelopeFrom | EnvelopeRecipient | Data
           | Header | EndOfHeader | Body | EndOfMessage | Abort | Quit | Unknown
           | QuitNewConnection)


# ---------------------------------------------------------------------------
# Decoders (§3): payload -> packet, ProtocolError on any defect.

def _decode_negotiate(payload: bytes) -> Negotiate:
    if len(payload) != 12:
        raise ProtocolError(f"negotiate: payload must be 12 bytes but was {len(payload)}")
    return Negotiate(*_OPTION.unpack(payload))


def _decode_define_macro(payload: bytes) -> DefineMacro:
    if not payload:
        raise ProtocolError("define-macro: context is missing")
    context = payload[:1]
    if context not in MACRO_CONTEXTS:
        raise ProtocolError(f"unknown macro context: {show_code(payload[0])}")
    macros: dict[bytes, bytes] = {}
    if len(payload) > 1:
        parts = strings("define-macro", payload[1:], "macro list")
        if len(parts) % 2:
            raise ProtocolError(f"define-macro: macro <{show(parts[-1])}> has no value")
        for i in range(0, len(parts), 2):
            name = parts[i]
            if not name:
                raise ProtocolError("define-macro: macro name is empty")
            # §3: `{x}` is stored as `x` (braces removed only when both are there;
            # `{}` keeps them, since a stored name is never empty).
            if name[0] == 0x7B and name[-1] == 0x7D and len(name) > 2:
                name = name[1:-1]
            macros[name] = parts[i + 1]  # a repeated name: the last value wins
    return DefineMacro(context, macros)


def _decode_connect(payload: bytes) -> Connect:
    end = payload.find(b"\0")
    if end < 0:
        raise ProtocolError("connect: host name is not NUL-terminated")
    if end == 0:
        raise ProtocolError("connect: host name is empty")
    hostname = payload[:end]
    family = payload[end + 1:end + 2]
    if not family:
        raise ProtocolError("connect: family is missing")
    if family == FAMILY_UNKNOWN:
        if len(payload) != end + 2:
            raise ProtocolError("connect: bytes after the unknown family")
        return Connect(hostname, family, 0, b"")
    if family not in FAMILIES:
        raise ProtocolError(f"unexpected family on connect command: "
                            f"<{show(hostname)}>: <{show_code(family[0])}>")
    if len(payload) < end + 4:
        raise ProtocolError("connect: port is missing")
    port = (payload[end + 2] << 8) | payload[end + 3]
    rest = payload[end + 4:]
    if not rest or rest[-1] != 0:
        raise ProtocolError("connect: address is not NUL-terminated")
    address = rest[:-1]
    if b"\0" in address:
        raise ProtocolError("connect: bytes after the address")
    check_address(family, address)
    return Connect(hostname, family, port, address)


def _single(nick: str, what: str, payload: bytes) -> bytes:
    """Payload `str\\0` with a non-empty string and nothing after it."""
    if not payload or payload[-1] != 0:
        raise ProtocolError(f"{nick}: {what} is not NUL-terminated")
    value = payload[:-1]
    if not value:
        raise ProtocolError(f"{nick}: {what} is empty")
    if b"\0" in value:
        raise ProtocolError(f"{nick}: bytes after the {what}")
    return value


def _decode_helo(payload: bytes) -> Helo:
    return Helo(_single("helo", "FQDN", payload))


def _decode_envelope_from(payload: bytes) -> EnvelopeFrom:
    parts = strings("envelope-from", payload, "sender")
    if not parts[0]:
        raise ProtocolError("envelope-from: sender is empty")
    return EnvelopeFrom(parts[0], tuple(parts[1:]))


def _decode_envelope_recipient(payload: bytes) -> EnvelopeRecipient:
    parts = strings("envelope-recipient", payload, "recipient")
    if not parts[0]:
        raise ProtocolError("envelope-recipient: recipient is empty")
    return EnvelopeRecipient(parts[0], tuple(parts[1:]))


def _decode_header(payload: bytes) -> Header:
    parts = payload.split(b"\0")
    if len(parts) != 3 or parts[2]:
        raise ProtocolError(f"header: payload must be name\\0value\\0 "
                            f"but has {payload.count(0)} NULs")
    if not parts[0]:
        raise ProtocolError("header: name is empty")
    return Header(parts[0], parts[1])


def _decode_unknown(payload: bytes) -> Unknown:
    return Unknown(_single("unknown", "command", payload))


def _no_payload(cls: type, nick: str) -> Callable[[bytes], object]:
    instance = cls()  # no fields, so one shared instance is safe

    def decode(payload: bytes) -> object:
        if payload:
            empty(nick, payload)
        return instance
    return decode


#: code byte (int) -> payload decoder.
COMMAND_DECODERS: dict[int, Callable[[bytes], Command]] = {
    ord("O"): _decode_negotiate,
    ord("D"): _decode_define_macro,
    ord("C"): _decode_connect,
    ord("H"): _decode_helo,
    ord("M"): _decode_envelope_from,
    ord("R"): _decode_envelope_recipient,
    ord("T"): _no_payload(Data, "data"),
    ord("L"): _decode_header,
    ord("N"): _no_payload(EndOfHeader, "end-of-header"),
    ord("B"): Body,
    ord("E"): EndOfMessage,
    ord("A"): _no_payload(Abort, "abort"),
    ord("Q"): _no_payload(Quit, "quit"),
    ord("U"): _decode_unknown,
    ord("K"): _no_payload(QuitNewConnection, "quit-new-connection"),
}


def decode_command(code: int, payload: bytes) -> Command:
    """Decode one command from its code byte and payload (§3)."""
    decoder = COMMAND_DECODERS.get(code)
    if decoder is None:
        raise ProtocolError(f"unexpected command was received: {show_code(code)}")
    return decoder(payload)
