"""Reading what the sink received: header fields, Postfix's Received header,
and sending a batch of mails with their deliveries matched by queue id.

The assertions of the end-to-end tests are built from the message that was
sent plus what each component is documented to change: Postfix prepends its
`Received:` header, a milter's add-header lands after the last header, an
insert at index 0 lands above Postfix's `Received:` (real-components.md §10).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from .components.postfix import MYHOSTNAME
from .components.sink import Delivered, Sink
from .components.smtp import Outcome
from .components.waiting import wait_until

# Postfix's own Received header for a message from smtpd. With one recipient
# it names it ("for <rcpt>; DATE"), with several it does not ("ID;" DATE).
# The client is "unknown [127.0.0.1]": no peer-name lookup (§0), unless an
# XCLIENT command named it (§4.3).
UNKNOWN_CLIENT = "unknown [127.0.0.1]"


def smtp_received(client: str = UNKNOWN_CLIENT) -> re.Pattern[bytes]:
    return re.compile(
        rb"Received: from (?P<helo>\S+) \(" + re.escape(client.encode()) + rb"\)\r\n"
        rb"\tby " + re.escape(MYHOSTNAME.encode()) + rb" \(Postfix\) with (?P<proto>E?SMTP)"
        rb" id (?P<queue_id>[0-9A-F]+)"
        rb"(?:\r\n\tfor <(?P<rcpt>[^>]*)>; |;\r\n\t)(?P<date>[^\r\n]+)\r\n")


SMTP_RECEIVED = smtp_received()
# The same for a message submitted with Postfix's sendmail(1) (pickup).
LOCAL_RECEIVED = re.compile(
    rb"Received: by " + re.escape(MYHOSTNAME.encode()) + rb" \(Postfix, from userid (?P<uid>\d+)\)\r\n"
    rb"\tid (?P<queue_id>[0-9A-F]+); (?P<date>[^\r\n]+)\r\n")


def header_fields(data: bytes) -> tuple[list[bytes], bytes | None]:
    """Split a message into its raw header fields (each with its continuation
    lines and final CRLF) and its body (None when there is no empty line)."""
    head, sep, body = data.partition(b"\r\n\r\n")
    head = head + b"\r\n" if sep else data
    fields: list[bytes] = []
    for line in head.split(b"\r\n")[:-1]:
        if line[:1] in (b" ", b"\t") and fields:
            fields[-1] += line + b"\r\n"
        else:
            fields.append(line + b"\r\n")
    return fields, (body if sep else None)


def field_name(field: bytes) -> bytes:
    return field.split(b":", 1)[0]


@dataclass(frozen=True)
class Relayed:
    """A message as Postfix relayed it, split around Postfix's Received."""

    above: list[bytes]   # fields above Received (milters' inserts at index 0)
    received: re.Match[bytes]
    below: list[bytes]   # the original fields plus the milters' additions
    body: bytes | None

    @property
    def queue_id(self) -> str:
        return self.received["queue_id"].decode()


def parse_relayed(data: bytes, *, local: bool = False, client: str = UNKNOWN_CLIENT) -> Relayed:
    """`client`: the client as Postfix's Received names it, "NAME [ADDR]"."""
    fields, body = header_fields(data)
    pattern = LOCAL_RECEIVED if local else smtp_received(client)
    for index, field in enumerate(fields):
        if field_name(field) == b"Received":
            match = pattern.fullmatch(field)
            assert match, f"not Postfix's Received header: {field!r}"
            return Relayed(fields[:index], match, fields[index + 1:], body)
    raise AssertionError(f"no Received header in {data[:500]!r}")


def added_field(name: str, value: str) -> bytes:
    """A header field as Postfix writes one that a milter added."""
    return f"{name}: {value}\r\n".encode()


def wait_for_queue_ids(sink: Sink, queue_ids: Sequence[str], *,
                       timeout: float = 60.0) -> dict[str, Delivered]:
    """The sink's messages by Postfix queue id, once all of `queue_ids` are in."""
    wanted = set(queue_ids)

    def arrived() -> dict[str, Delivered] | None:
        found = {}
        for msg in list(sink.messages):
            match = re.search(rb"\bid ([0-9A-F]+)", msg.data)
            if match:
                found[match.group(1).decode()] = msg
        return found if wanted <= found.keys() else None

    return wait_until(arrived, timeout=timeout,
                      what=f"deliveries of {sorted(wanted)} at the sink")


def assert_nothing_delivered(sink: Sink, outcome: Outcome) -> None:
    """A refused message must not reach the sink (and nothing else did)."""
    assert not outcome.accepted
    assert sink.messages == [], f"unexpected deliveries: {sink.messages}"


def deliver(postfix, sink: Sink, mail, *, timeout: float = 60.0) -> tuple[Outcome, Delivered]:
    """Send one TestMail through `postfix`; its delivery at the sink (matched
    by queue id, so other messages at the same sink do not confuse it)."""
    outcome = postfix.send(mail.sender, mail.recipients, mail.data,
                           mail_options=mail.mail_options)
    assert outcome.accepted, f"{mail.name}: {outcome}"
    queue_id = outcome.queue_id
    assert queue_id, outcome.final
    return outcome, wait_for_queue_ids(sink, [queue_id], timeout=timeout)[queue_id]


def deliver_all(postfix, sink: Sink, mails, *,
                timeout: float = 120.0) -> dict[str, tuple[Outcome, Delivered]]:
    """Send every TestMail through `postfix`, then wait for all deliveries:
    {mail name: (what the client saw, what the sink received)}."""
    outcomes = {}
    for mail in mails:
        outcome = postfix.send(mail.sender, mail.recipients, mail.data,
                               mail_options=mail.mail_options)
        assert outcome.accepted, f"{mail.name}: {outcome}"
        outcomes[mail.name] = outcome
    delivered = wait_for_queue_ids(sink, [o.queue_id for o in outcomes.values()],
                                   timeout=timeout)
    return {name: (outcome, delivered[outcome.queue_id]) for name, outcome in outcomes.items()}


def reply_without_queue_id(outcome: Outcome) -> list[tuple[str, int, str]]:
    """The replies the client saw, with Postfix's queue id masked (the one
    part of a reply that differs between two runs)."""
    return [(cmd, reply.code, re.sub(r"queued as [0-9A-F]+", "queued as QUEUEID", reply.text))
            for cmd, reply in outcome.replies]
