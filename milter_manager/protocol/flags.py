"""Action and step flags, their text form, and the macro stages (protocol.md §2.3-§2.5)."""

from __future__ import annotations

from .errors import ProtocolError

# protocol.md §2.3: SMFIF_* bits of the `actions` word.
ADD_HEADERS = 0x001
CHANGE_BODY = 0x002
ADD_ENVELOPE_RECIPIENT = 0x004
DELETE_ENVELOPE_RECIPIENT = 0x008
CHANGE_HEADERS = 0x010
QUARANTINE = 0x020
CHANGE_ENVELOPE_FROM = 0x040
ADD_ENVELOPE_RECIPIENT_WITH_PARAMETERS = 0x080
SET_SYMBOL_LIST = 0x100

ACTION_NICKS: dict[int, str] = {
    ADD_HEADERS: "add-headers",
    CHANGE_BODY: "change-body",
    ADD_ENVELOPE_RECIPIENT: "add-envelope-recipient",
    DELETE_ENVELOPE_RECIPIENT: "delete-envelope-recipient",
    CHANGE_HEADERS: "change-headers",
    QUARANTINE: "quarantine",
    CHANGE_ENVELOPE_FROM: "change-envelope-from",
    ADD_ENVELOPE_RECIPIENT_WITH_PARAMETERS: "add-envelope-recipient-with-parameters",
    SET_SYMBOL_LIST: "set-symbol-list",
}

# protocol.md §2.4: SMFIP_* bits of the `steps` word.
NO_CONNECT = 0x000001
NO_HELO = 0x000002
NO_ENVELOPE_FROM = 0x000004
NO_ENVELOPE_RECIPIENT = 0x000008
NO_BODY = 0x000010
NO_HEADERS = 0x000020
NO_END_OF_HEADER = 0x000040
NO_REPLY_HEADER = 0x000080
NO_UNKNOWN = 0x000100
NO_DATA = 0x000200
SKIP = 0x000400
ENVELOPE_RECIPIENT_REJECTED = 0x000800
NO_REPLY_CONNECT = 0x001000
NO_REPLY_HELO = 0x002000
NO_REPLY_ENVELOPE_FROM = 0x004000
NO_REPLY_ENVELOPE_RECIPIENT = 0x008000
NO_REPLY_DATA = 0x010000
NO_REPLY_UNKNOWN = 0x020000
NO_REPLY_END_OF_HEADER = 0x040000
NO_REPLY_BODY = 0x080000
HEADER_VALUE_WITH_LEADING_SPACE = 0x100000

STEP_NICKS: dict[int, str] = {
    NO_CONNECT: "no-connect",
    NO_HELO: "no-helo",
    NO_ENVELOPE_FROM: "no-envelope-from",
    NO_ENVELOPE_RECIPIENT: "no-envelope-recipient",
    NO_BODY: "no-body",
    NO_HEADERS: "no-headers",
    NO_END_OF_HEADER: "no-end-of-header",
    NO_REPLY_HEADER: "no-reply-header",
    NO_UNKNOWN: "no-unknown",
    NO_DATA: "no-data",
    SKIP: "skip",
    ENVELOPE_RECIPIENT_REJECTED: "envelope-recipient-rejected",
    NO_REPLY_CONNECT: "no-reply-connect",
    NO_REPLY_HELO: "no-reply-helo",
    NO_REPLY_ENVELOPE_FROM: "no-reply-envelope-from",
    NO_REPLY_ENVELOPE_RECIPIENT: "no-reply-envelope-recipient",
    NO_REPLY_DATA: "no-reply-data",
    NO_REPLY_UNKNOWN: "no-reply-unknown",
    NO_REPLY_END_OF_HEADER: "no-reply-end-of-header",
    NO_REPLY_BODY: "no-reply-body",
    HEADER_VALUE_WITH_LEADING_SPACE: "header-value-with-leading-space",
}

NO_EVENT_MASK = 0x00037F
NO_REPLY_MASK = 0x0FF080
YES_MASK = 0x100C00
ALL_ACTIONS = 0x1FF
ALL_STEPS = NO_EVENT_MASK | NO_REPLY_MASK | YES_MASK

# Which NO_EVENT / NO_REPLY bit concerns which command (protocol.md §8.1).
NO_EVENT_OF_COMMAND: dict[bytes, int] = {
    b"C": NO_CONNECT, b"H": NO_HELO, b"M": NO_ENVELOPE_FROM, b"R": NO_ENVELOPE_RECIPIENT,
    b"T": NO_DATA, b"L": NO_HEADERS, b"N": NO_END_OF_HEADER, b"B": NO_BODY, b"U": NO_UNKNOWN,
}
NO_REPLY_OF_COMMAND: dict[bytes, int] = {
    b"C": NO_REPLY_CONNECT, b"H": NO_REPLY_HELO, b"M": NO_REPLY_ENVELOPE_FROM,
    b"R": NO_REPLY_ENVELOPE_RECIPIENT, b"T": NO_REPLY_DATA, b"L": NO_REPLY_HEADER,
    b"N": NO_REPLY_END_OF_HEADER, b"B": NO_REPLY_BODY, b"U": NO_REPLY_UNKNOWN,
}

# protocol.md §2.5: SMFIM_* stages, used only in the negotiate reply's macro requests.
STAGE_CONNECT, STAGE_HELO, STAGE_ENVELOPE_FROM, STAGE_ENVELOPE_RECIPIENT = 0, 1, 2, 3
STAGE_DATA, STAGE_END_OF_MESSAGE, STAGE_END_OF_HEADER = 4, 5, 6
STAGE_OF_COMMAND: dict[bytes, int] = {
    b"C": STAGE_CONNECT, b"H": STAGE_HELO, b"M": STAGE_ENVELOPE_FROM,
    b"R": STAGE_ENVELOPE_RECIPIENT, b"T": STAGE_DATA, b"E": STAGE_END_OF_MESSAGE,
    b"N": STAGE_END_OF_HEADER,
}  # there is no stage for L, B or U
COMMAND_OF_STAGE: dict[int, bytes] = {v: k for k, v in STAGE_OF_COMMAND.items()}


def _format(value: int, nicks: dict[int, str]) -> str:
    names = [nick for bit, nick in nicks.items() if value & bit]  # dicts are in bit order
    unknown = value & ~sum(nicks)
    if unknown:
        # Spec silent: keep unknown bits visible (the decoder keeps them, §2.4)
        # rather than drop them from logs; parse() reads the form back.
        names.append(f"0x{unknown:x}")
    return "|".join(names)


def _parse(text: str, nicks: dict[int, str], kind: str) -> int:
    text = text.strip()
    if not text:
        return 0  # §2.4: an empty string parses as 0
    by_nick = {nick: bit for bit, nick in nicks.items()}
    value = 0
    for token in text.split("|"):
        token = token.strip()
        if token == "none":
            continue
        bit = by_nick.get(token)
        if bit is None:
            if token.startswith("0x"):
                try:
                    bit = int(token, 16)
                except ValueError:
                    bit = None
            if bit is None:
                raise ProtocolError(f"unknown {kind} flag: <{token}>")
        value |= bit
    return value


def format_actions(value: int) -> str:
    """`add-headers|change-body`: set nicks in ascending bit order; 0 is ``""`` (§2.4)."""
    return _format(value, ACTION_NICKS)


def format_steps(value: int) -> str:
    """The text form of a steps word (§2.4)."""
    return _format(value, STEP_NICKS)


def parse_actions(text: str) -> int:
    """Parse `nick|nick…`; `none` and ``""`` are 0; an unknown nick is a ProtocolError."""
    return _parse(text, ACTION_NICKS, "action")


def parse_steps(text: str) -> int:
    """Parse a step flag text (§2.4)."""
    return _parse(text, STEP_NICKS, "step")
