"""Applicable conditions live: the stock `S25R` condition on spamass-milter,
through Postfix -> our manager (the real-MTA issue; config.md §10.4,
manager.md §12, real-components.md §4.3).

The condition runs through our Ruby interpreter and configuration layer as
an admin would use it: the stock files are loaded unchanged with
`load(".../applicable-conditions/*.conf")`, once from the package's embedded
copy and once from upstream's own files. Postfix's XCLIENT sets the client
name and address the milters see at connect; a GTUBE mail tells whether
spamass-milter checked the message (reject) or was skipped (delivered).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from .components.manager import ruby_config
from .components.spamassassin import GTUBE, REJECT_CODE, REJECT_TEXT
from .components.tinymilter import DEFAULT_HEADER
from .delivery import added_field, header_fields, parse_relayed
from .mails import RECIPIENT, SENDER, message

pytestmark = [pytest.mark.slow, pytest.mark.e2e_postfix, pytest.mark.real_milters]

PROJECT_ROOT = Path(__file__).resolve().parents[2]
STOCK_CONDITIONS = {
    "embedded": PROJECT_ROOT / "milter_manager" / "data" / "applicable-conditions",
    "upstream": PROJECT_ROOT / ".." / "shared" / "upstream" / "data" / "applicable-conditions",
}

# (XCLIENT arguments or None, whether S25R lets spamass-milter check the mail)
CLIENTS = {
    # Generic names of end-user hosts: S25R's blacklist patterns.
    "dynamic-dhcp": ("NAME=dhcp-127-0-0-2.example.net ADDR=127.0.0.2", True),
    "dynamic-digits": ("NAME=p12345-ipad.example.net ADDR=127.0.0.3", True),
    # No XCLIENT: Postfix does no peer-name lookup here, so the client is
    # "[127.0.0.1]", which S25R counts as unresolved, hence dynamic.
    "unresolved": (None, True),
    # A mail server's name: no pattern matches.
    "clean": ("NAME=mail.example.net ADDR=127.0.0.2", False),
    # Dynamic-looking but on the stock whitelist (/\.google\.com\z/).
    "whitelisted": ("NAME=mail-yw1-f123.google.com ADDR=127.0.0.4", False),
}


@pytest.mark.parametrize("source", STOCK_CONDITIONS.values(), ids=STOCK_CONDITIONS.keys())
@pytest.mark.parametrize("client", CLIENTS.values(), ids=CLIENTS.keys())
def test_s25r_applies_spamass_milter_to_dynamic_clients_only(
        source, client, sink, tiny_milter, spamassassin, manager_factory, postfix_factory):
    xclient, checked = client
    assert source.is_dir(), source
    config = ruby_config(
        [("spamass-milter", spamassassin.port), ("tiny", tiny_milter.port)],
        prelude=f'load("{source}/*.conf")',
        settings={"spamass-milter": {"applicable_conditions": ["S25R"]}})
    manager = manager_factory(config)
    postfix = postfix_factory([manager.postfix_milter])
    sent = message(1, "", f"This is the GTUBE:\n{GTUBE}\n")

    outcome = postfix.send(SENDER, [RECIPIENT], sent, xclient=xclient)

    # With XCLIENT Postfix ends the milter session of the original client
    # and opens one for the named client: two manager sessions, whose
    # [milter][end] lines come in session order (the last one counts).
    sessions = 1 if xclient is None else 2
    ends = {end.name: end for end in manager.wait_for_milter_ends(2 * sessions)}
    if checked:
        assert outcome.final_command == "DATA-END", outcome
        assert (outcome.final.code, outcome.final.text) == (REJECT_CODE, REJECT_TEXT)
        assert sink.messages == []
        assert (ends["spamass-milter"].state, ends["spamass-milter"].status) == (
            "end-of-message", "reject")
    else:
        # Skipped at connect: the GTUBE goes through untouched by
        # spamass-milter; tiny, without conditions, still applies.
        assert outcome.accepted, outcome
        name, addr = (part.split("=", 1)[1] for part in xclient.split())
        relayed = parse_relayed(sink.wait_for_one().data, client=f"{name} [{addr}]")
        assert relayed.below == [*header_fields(sent)[0], added_field(*DEFAULT_HEADER)]
        # cli.md §14.2: a child stopped by an applicable condition ends `stop`.
        assert (ends["spamass-milter"].state, ends["spamass-milter"].status) == (
            "connect", "stop")
    assert ends["tiny"].status in ("accept", "abort")
