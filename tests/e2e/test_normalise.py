"""The differential test's normalisation (real-components.md §10), on
hand-written messages: fast, no component needed."""

from __future__ import annotations

from .normalise import Normalised, blank_signature_times, normalise, unfold

SIGNED = (
    b"DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/simple; d=example.com; s=test;\r\n"
    b"\tt=1795600000; bh=AAAA; h=From:To;\r\n"
    b"\tb=abc\r\n\t def\r\n"
    b"Received: from a (unknown [127.0.0.1])\r\n\tby mx id 1234; Wed, 25 Nov 2026\r\n"
    b"From: User <user@example.com>\r\n"
    b"Subject: folded\r\n  twice\r\n"
    b"X-Tiny-Milter: seen\r\n"
    b"\r\n"
    b"body\r\n")


def test_unfold_keeps_the_value_as_it_follows_the_colon():
    assert unfold(b"Subject: a\r\n\tb\r\n  c\r\n") == (b"Subject", b" a\tb  c")
    assert unfold(b"X-No-Space:value\r\n") == (b"X-No-Space", b"value")
    assert unfold(b"X-Empty:\r\n") == (b"X-Empty", b"")


def test_blank_signature_times_only_touches_t_and_b():
    assert blank_signature_times(b" v=1; t=17; bh=x=; b=sig; h=From") == (
        b" v=1; t=; bh=x=; b=; h=From")


def test_normalise_drops_received_and_signature_times():
    assert normalise(SIGNED) == Normalised(
        headers=(
            (b"dkim-signature",
             (b" v=1; a=rsa-sha256; c=relaxed/simple; d=example.com; s=test;\tt=; bh=AAAA;"
              b" h=From:To;\tb=")),
            (b"from", b" User <user@example.com>"),
            (b"subject", b" folded  twice"),
            (b"x-tiny-milter", b" seen"),
        ),
        body=b"body\r\n")


def test_normalise_keeps_what_must_match():
    base = normalise(SIGNED)
    # Another signing second and another queue id: equal.
    other_run = (SIGNED.replace(b"t=1795600000", b"t=1795600007")
                 .replace(b"b=abc\r\n\t def", b"b=xyz")
                 .replace(b"id 1234", b"id 99AA"))
    assert normalise(other_run) == base
    # Everything else counts: header order, a value, the body hash, the body,
    # a header name's case does not.
    moved = SIGNED.replace(b"From: User <user@example.com>\r\n", b"").replace(
        b"X-Tiny-Milter: seen\r\n", b"X-Tiny-Milter: seen\r\nFrom: User <user@example.com>\r\n")
    assert normalise(moved) != base
    assert normalise(SIGNED.replace(b"seen", b"seen ")) != base
    assert normalise(SIGNED.replace(b"bh=AAAA", b"bh=AAAB")) != base
    assert normalise(SIGNED.replace(b"body\r\n", b"body\r\n\r\n")) != base
    assert normalise(SIGNED.replace(b"X-Tiny-Milter", b"x-tiny-milter")) == base


def test_normalise_tells_no_body_from_empty_body():
    assert normalise(b"A: 1\r\n").body is None
    assert normalise(b"A: 1\r\n\r\n").body == b""
