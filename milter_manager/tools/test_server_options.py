"""Options of `milter-test-server` (tools.md §1.1, §1.2) and the help text.

Parsed GLib-style (`test_server_goption`): values are checked left to right,
repeatable options accumulate, errors are printed alone on standard output
with exit status 1. Argument strings become bytes with `os.fsencode`, so
whatever bytes the shell passed reach the milter unchanged.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from milter_manager import VERSION
from milter_manager.config.connection_spec import (
    ConnectionSpec,
    ConnectionSpecError,
    parse_connection_spec,
)
from milter_manager.protocol.addresses import (
    FAMILY_INET,
    FAMILY_INET6,
    FAMILY_UNIX,
    IPV6_PREFIX,
)

from .test_server_goption import (
    NONE,
    OPTIONAL,
    REQUIRED,
    EarlyExit,
    Option,
    OptionError,
    help_block,
    parse,
    parse_c_double,
    parse_c_int,
    usage_ellipsis,
)
from .test_server_message import (
    DEFAULT_BODY,
    DEFAULT_RECIPIENT,
    DEFAULT_SENDER,
    MailFileError,
    chunk_body,
    normalise_address,
    read_mail_file,
)

PROGRAM = "milter-test-server"

#: Macro contexts of the stages that carry macros (tools.md §1.2), by option name.
MACRO_OPTIONS = {
    "connect-macro": b"C", "helo-macro": b"H", "envelope-from-macro": b"M",
    "envelope-recipient-macro": b"R", "data-macro": b"T", "end-of-header-macro": b"N",
    "end-of-message-macro": b"E",
}
COLOR_VALUES = {"yes": "yes", "true": "yes", "no": "no", "false": "no", "auto": "auto"}


@dataclass
class ServerOptions:
    """Everything the command line decides (tools.md §1.1 defaults)."""

    name: str = PROGRAM
    spec: ConnectionSpec | None = None
    negotiate_version: int = 6   # upstream's code (its manual says 8), as Postfix
    connect_host: bytes = b"mx.example.net"
    #: (family, port, address) of the connect command (protocol.md §3.3)
    connect_address: tuple[bytes, int, bytes] = (FAMILY_INET, 50443, b"192.168.123.123")
    helo_fqdn: bytes = b"delian"
    sender: bytes = DEFAULT_SENDER
    recipients: list[bytes] = field(default_factory=lambda: [DEFAULT_RECIPIENT])
    recipients_given: bool = False
    headers: list[tuple[bytes, bytes]] = field(default_factory=list)        # --header
    file_headers: list[tuple[bytes, bytes]] = field(default_factory=list)   # --mail-file
    body_chunks: list[bytes] = field(default_factory=lambda: [DEFAULT_BODY])
    body_given: bool = False
    #: `--*-macro` options per macro context, in command-line order
    macros: dict[bytes, list[tuple[bytes, bytes]]] = field(default_factory=dict)
    unknown: bytes | None = None
    auth_name: bytes | None = None
    auth_type: bytes | None = None
    auth_author: bytes | None = None
    output_message: bool = False
    color: str | None = None     # "yes", "no", "auto"; None = the default rule
    connection_timeout: float = 300.0
    reading_timeout: float = 10.0
    writing_timeout: float = 10.0
    end_of_message_timeout: float = 300.0
    all_timeouts: float | None = None
    threads: int = 0
    verbose: bool = False

    def finish(self) -> None:
        """Rules applied after parsing: `--all-timeouts` wins (tools.md §1.1)."""
        if self.all_timeouts is not None:
            self.connection_timeout = self.reading_timeout = self.all_timeouts
            self.writing_timeout = self.end_of_message_timeout = self.all_timeouts


HELP = [
    ("--name=NAME", "Name of this MTA (also the {daemon_name} macro)"),
    ("-s, --connection-spec=SPEC", "The milter to talk to (unix:PATH, inet:PORT@HOST, …)"),
    ("--negotiate-version=VERSION", "Protocol version to offer (default 6)"),
    ("--connect-host=HOST", "Client host name of the connect command"),
    ("--connect-address=SPEC", "Client address of the connect command"),
    ("--connect-macro=NAME:VALUE", "Add a macro to the connect stage"),
    ("--helo-fqdn=FQDN", "Argument of HELO"),
    ("--helo-macro=NAME:VALUE", "Add a macro to the HELO stage"),
    ("-f, --envelope-from=FROM", "Envelope sender (MAIL FROM)"),
    ("--envelope-from-macro=NAME:VALUE", "Add a macro to the MAIL FROM stage"),
    ("-r, --envelope-recipient=RECIPIENT", "Add an envelope recipient (RCPT TO)"),
    ("--envelope-recipient-macro=NAME:VALUE", "Add a macro to each RCPT TO stage"),
    ("--data-macro=NAME:VALUE", "Add a macro to the DATA stage"),
    ("-h, --header=NAME:VALUE", "Add a header"),
    ("--end-of-header-macro=NAME:VALUE", "Add a macro to the end-of-header stage"),
    ("-b, --body=CHUNK", "Add a body chunk"),
    ("--end-of-message-macro=NAME:VALUE", "Add a macro to the end-of-message stage"),
    ("--unknown=COMMAND", "Send this unknown SMTP command"),
    ("--authenticated-name=NAME", "SMTP AUTH user name ({auth_authen})"),
    ("--authenticated-type=TYPE", "SMTP AUTH mechanism ({auth_type})"),
    ("--authenticated-author=AUTHOR", "SMTP AUTH author ({auth_author})"),
    ("-m, --mail-file=PATH", "Take envelope, headers and body from a mail file"),
    ("--output-message", "Print the resulting message"),
    ("--color=[yes|true|no|false|auto]", "Colour the changes in the printed message"),
    ("--connection-timeout=SECONDS", "Give up connecting after SECONDS (default 300)"),
    ("--reading-timeout=SECONDS", "Wait SECONDS for a reply (default 10)"),
    ("--writing-timeout=SECONDS", "Wait SECONDS for a write (default 10)"),
    ("--end-of-message-timeout=SECONDS",
     "Wait SECONDS for the end-of-message reply (default 300)"),
    ("--all-timeouts=SECONDS", "Set all of the timeouts above"),
    ("-t, --threads=N", "Run N sessions at the same time"),
    ("-v, --verbose", "Log everything"),
    ("--version", "Print the version and exit"),
]


def help_text() -> str:
    """tools.md §1.1: upstream's layout, our descriptions."""
    lines = ["Usage:", f"  {PROGRAM} [OPTION{usage_ellipsis()}]", ""]
    lines += help_block("Help Options:", [("-?, --help", "Show help options")])
    lines += help_block("Application Options:", HELP)
    return "\n".join(lines) + "\n"


def _bytes(value: str) -> bytes:
    return os.fsencode(value)


def _spec(value: str) -> ConnectionSpec:
    """cli.md §1.2 SPEC; `/PATH` means `unix:/PATH`; errors are the bare detail."""
    if value.startswith("/"):
        value = "unix:" + value
    try:
        return parse_connection_spec(value)
    except ConnectionSpecError as error:
        raise OptionError(error.detail) from None


def connect_address(spec: ConnectionSpec) -> tuple[bytes, int, bytes]:
    """The connect command's family, port and address for a SPEC (protocol.md §3.3)."""
    if spec.family == "unix":
        return FAMILY_UNIX, 0, os.fsencode(spec.path or "")
    if spec.family == "inet":
        return FAMILY_INET, spec.port or 0, (spec.address or "0.0.0.0").encode("ascii")
    return FAMILY_INET6, spec.port or 0, IPV6_PREFIX + (spec.address or "::").encode("ascii")


def _name_value(value: str) -> tuple[bytes, bytes]:
    name, colon, rest = _bytes(value).partition(b":")
    if not colon:
        raise OptionError(f"macro name and value delimiter ':' doesn't exist: <{value}>")
    return name, rest


def parse_options(argv: list[str]) -> ServerOptions:
    """Parse ARGV; raises OptionError (print, exit 1) or EarlyExit (print, exit 0)."""
    o = ServerOptions()

    def store(attribute: str, convert=lambda typed, value: value):
        def handler(typed: str, value: str | None) -> None:
            setattr(o, attribute, convert(typed, value))
        return handler

    def recipient(typed: str, value: str | None) -> None:
        if not o.recipients_given:
            o.recipients = []     # the first -r replaces the default
            o.recipients_given = True
        o.recipients.append(normalise_address(_bytes(value or "")))

    def header(typed: str, value: str | None) -> None:
        # Split at the first `:`; neither part is trimmed (tools.md §1.1).
        name, colon, rest = _bytes(value or "").partition(b":")
        if not colon:
            raise OptionError("headers option should be 'NAME:VALUE'")
        o.headers.append((name, rest))

    def body(typed: str, value: str | None) -> None:
        if not o.body_given:
            o.body_chunks = []    # the first -b replaces the default
            o.body_given = True
        o.body_chunks.append(_bytes(value or ""))

    def macro(context: bytes):
        def handler(typed: str, value: str | None) -> None:
            o.macros.setdefault(context, []).append(_name_value(value or ""))
        return handler

    def mail_file(typed: str, value: str | None) -> None:
        try:
            mail = read_mail_file(value or "")
        except MailFileError as error:
            raise OptionError(str(error)) from None
        o.file_headers = mail.headers
        o.body_chunks = chunk_body(mail.body)
        o.body_given = True
        if mail.sender is not None:
            o.sender = mail.sender
        if mail.recipients:
            o.recipients = list(mail.recipients)
            o.recipients_given = True

    def color(typed: str, value: str | None) -> None:
        if value is None:
            o.color = "yes"
            return
        if value not in COLOR_VALUES:
            raise OptionError(f"Invalid color value: {value}")
        o.color = COLOR_VALUES[value]

    def version(typed: str, value: str | None) -> None:
        raise EarlyExit(f"{PROGRAM} {VERSION}\n")

    def show_help(typed: str, value: str | None) -> None:
        raise EarlyExit(help_text())

    def flag(attribute: str):
        return store(attribute, lambda typed, value: True)

    def double(typed: str, value: str | None) -> float:
        return parse_c_double(typed, value or "")

    table = [
        Option("help", "?", NONE, show_help),
        Option("name", None, REQUIRED, store("name")),
        Option("connection-spec", "s", REQUIRED,
               store("spec", lambda typed, value: _spec(value or ""))),
        Option("negotiate-version", None, REQUIRED,
               store("negotiate_version", lambda typed, value: parse_c_int(typed, value or ""))),
        Option("connect-host", None, REQUIRED,
               store("connect_host", lambda typed, value: _bytes(value or ""))),
        Option("connect-address", None, REQUIRED,
               store("connect_address",
                     lambda typed, value: connect_address(_spec(value or "")))),
        Option("helo-fqdn", None, REQUIRED,
               store("helo_fqdn", lambda typed, value: _bytes(value or ""))),
        Option("envelope-from", "f", REQUIRED,
               store("sender", lambda typed, value: normalise_address(_bytes(value or ""))),
               aliases=("from",)),
        Option("envelope-recipient", "r", REQUIRED, recipient, aliases=("recipient",)),
        Option("header", "h", REQUIRED, header),
        Option("body", "b", REQUIRED, body),
        Option("unknown", None, REQUIRED,
               store("unknown", lambda typed, value: _bytes(value or ""))),
        Option("authenticated-name", None, REQUIRED,
               store("auth_name", lambda typed, value: _bytes(value or ""))),
        Option("authenticated-type", None, REQUIRED,
               store("auth_type", lambda typed, value: _bytes(value or ""))),
        Option("authenticated-author", None, REQUIRED,
               store("auth_author", lambda typed, value: _bytes(value or ""))),
        Option("mail-file", "m", REQUIRED, mail_file),
        Option("output-message", None, NONE, flag("output_message")),
        Option("color", None, OPTIONAL, color),
        Option("connection-timeout", None, REQUIRED, store("connection_timeout", double)),
        Option("reading-timeout", None, REQUIRED, store("reading_timeout", double)),
        Option("writing-timeout", None, REQUIRED, store("writing_timeout", double)),
        # [deviation] tools.md §1.1: upstream's option sets the writing timeout (bug).
        Option("end-of-message-timeout", None, REQUIRED,
               store("end_of_message_timeout", double)),
        Option("all-timeouts", None, REQUIRED, store("all_timeouts", double)),
        Option("threads", "t", REQUIRED,
               store("threads", lambda typed, value: parse_c_int(typed, value or ""))),
        Option("verbose", "v", NONE, flag("verbose")),
        Option("version", None, NONE, version),
    ]
    table += [Option(name, None, REQUIRED, macro(context))
              for name, context in MACRO_OPTIONS.items()]
    parse(argv, table)
    if o.spec is None:
        raise OptionError("spec should not be NULL")
    o.finish()
    return o


# --- macros (tools.md §1.2) -------------------------------------------------------------

def _put(table: list[tuple[bytes, bytes]], name: bytes, value: bytes) -> None:
    """Set NAME: a name already in the table keeps its place and gets the new value."""
    for index, (existing, _) in enumerate(table):
        if existing == name:
            table[index] = (name, value)
            return
    table.append((name, value))


def stage_macros(o: ServerOptions, context: bytes,
                 recipient: bytes | None = None) -> list[tuple[bytes, bytes]]:
    """The macros sent before the command of CONTEXT: defaults, then the options.

    [deviation] in this order (upstream writes its hash table's order).

    [deviation] `{daemon_name}` is the `--name` value (upstream computes it before
    parsing `--name`, although its manual says it follows it).
    """
    table: list[tuple[bytes, bytes]] = []
    auth = [(b"{auth_authen}", o.auth_name), (b"{auth_type}", o.auth_type),
            (b"{auth_author}", o.auth_author)]
    if context == b"C":
        table = [(b"{daemon_name}", _bytes(o.name)), (b"{if_name}", b"localhost"),
                 (b"{if_addr}", b"127.0.0.1"), (b"j", b"mail.example.com")]
    elif context == b"H":
        table = [(b"{tls_version}", b"0"), (b"{cipher}", b"0"), (b"{cipher_bits}", b"0"),
                 (b"{cert_subject}", b"cert_subject"), (b"{cert_issuer}", b"cert_issuer")]
    elif context == b"M":
        table = [(b"{mail_mailer}", b"mail_mailer"), (b"{mail_host}", b"mail_host"),
                 (b"{mail_addr}", b"mail_addr")]
        table += [(name, value) for name, value in auth if value is not None]
    elif context == b"R":
        table = [(b"{rcpt_mailer}", b"rcpt_mailer"), (b"{rcpt_host}", b"rcpt_host"),
                 (b"{rcpt_addr}", recipient or b"")]
    elif context in (b"T", b"N", b"E"):
        table = [(b"i", b"i")]
    for name, value in o.macros.get(context, ()):
        _put(table, name, value)
    if context == b"M":
        # The --authenticated-* values replace same-named --envelope-from-macro ones.
        for name, value in auth:
            if value is not None:
                _put(table, name, value)
    return table
