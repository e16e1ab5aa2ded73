"""The stock applicable conditions in live sessions (config.md §10.4,
manager.md §12): a fake MTA on the wire, one recording child per condition
(and the two condition stacks debian.conf gives milter-greylist and the spam
checkers), the stock files loaded unchanged — upstream's and ours — with the
same site file. Every session yields a row (child → applied?, and the macros
the never-stopping conditions set); both stocks must produce the expected
table, hence the same one.

The expected values follow the conditions' rules as config.md §10.4 and
ruby-subset.md §9 state them (S25R patterns, AddressMatcher, DNSBL answers,
…), written per session below; none is taken from our output.
"""

from __future__ import annotations

import socket
from dataclasses import dataclass, field

import pytest

from .support import (
    DNSServer,
    RecordingMilter,
    RunningManager,
    Session,
    connect_packet,
    load_stock,
    run_session,
    wait_until,
)

GREYLIST = ["Sendmail Compatible", "Stress Notify", "Trust", "Remote Network", "S25R",
            "Unauthenticated"]
SPAM = ["Remote Network", "Unauthenticated", "No Stress"]
CHILDREN = {
    "plain": [],
    "s25r": ["S25R"],
    "remote": ["Remote Network"],
    "trust": ["Trust"],
    "auth": ["Authenticated"],
    "unauth": ["Unauthenticated"],
    "sendmail": ["Sendmail Compatible"],
    "stress-notify": ["Stress Notify"],
    "no-stress": ["No Stress"],
    "dnsbl": ["DNSBL Listed"],
    "not-dnsbl": ["Not DNSBL Listed"],
    "restricted": [],          # restrict_accounts_by_list adds its condition
    "greylist": GREYLIST,      # debian.conf's stacks (detectors.md §1)
    "spam": SPAM,
}
POSTFIX = {"v": "Postfix 3.7.11", "{daemon_name}": "smtpd"}
SENDMAIL = {"v": "8.17.1", "{daemon_name}": "MTA"}
SERVER_V4 = "127.0.0.25"          # the SMTP server interface of the netstat sessions
SERVER_V4_UNNAMED = "127.0.0.26"  # one the DNS server has no PTR for
SITE = """\
    stress.threshold_n_connections = 2
    remote_network.add_local_address("192.0.2.0/24")
    remote_network.add_remote_address(IPAddr.new("192.168.77.0/24"))
    s25r.add_whitelist { |host| host.end_with?(".trusted.example") }
    s25r.add_blacklist(/\\Abad\\./)
    trust.add_envelope_from_domain("example.com")
    trust.add_envelope_from_domain(/\\.example\\.org\\z/)
    trust.load_envelope_from_domains("trusted-domains.list")
    dnsbl.add_service("bl.example.test")
    {specs}
    restrict_accounts_by_list("alice@example.com", /@example\\.org\\z/,
                              milters: ["restricted"])
"""
TRUSTED_LIST = """\
    # domains whose senders we trust
    listed.example

    /\\.regexp\\.example$/
"""
# DNSBL answers (reversed client address + service → A record), ruby-subset.md §8.4.
DNSBL = {
    "2.113.0.203.bl.spamcop.net": "127.0.0.2",           # listed (expects 127.0.0.2)
    "3.113.0.203.zen.spamhaus.org": "127.0.0.11",        # listed (127.0.0.10/31)
    "4.113.0.203.zen.spamhaus.org": "127.0.0.99",        # answer outside the range
    "5.113.0.203.dnsbl.sorbs.net": "127.0.0.10",         # listed
    "6.113.0.203.b.barracudacentral.org": "127.0.0.2",   # listed
    "7.113.0.203.dnsbl.sorbs.net": "127.0.0.11",         # not the expected 127.0.0.10
    "9.113.0.203.bl.example.test": "127.0.0.4",          # the site's service: any answer
}
PTR = {SERVER_V4: "mx-in.example.test", "::1": "localhost"}


@dataclass
class Row:
    """A session and what the spec says each condition does with it."""
    session: Session
    s25r: bool               # S25R applies (a blacklisted, not whitelisted IPv4 client)
    remote: bool             # Remote Network applies
    listed: bool = False     # the client is DNSBL-listed
    restricted: int = 1      # messages the restricted-accounts child takes part in
    trusted: bool = False    # Trust sets {trusted_domain}=yes
    # Sendmail Compatible's macros: if_addr, if_name, daemon_port ("port" = the
    # server's real port), i
    sendmail: tuple = (None, None, None, "dummy-id")
    recipients_of: dict = field(default_factory=dict)   # child → recipients it got


def row(id, host="mx.example.net", address="inet:2525@[203.0.113.10]", *, s25r, remote,
        macros=POSTFIX, **kwargs):
    session_fields = {key: kwargs.pop(key) for key in list(kwargs)
                      if key in Session.__dataclass_fields__}
    session_fields.setdefault("recipients", ("<alice@example.com>",))
    session = Session(id, host, address, dict(macros), **session_fields)
    result = Row(session, s25r, remote, **kwargs)
    if macros.get("v", "").find("Postfix") < 0:
        result.sendmail = (None, None, None, None)
    return result


def ipv6(address):
    return f"inet6:2525@[{address}]"


def ipv4(address):
    return f"inet:2525@[{address}]"


ROWS = [
    # --- S25R (connect: only IPv4 clients; whitelist first, then blacklist) --------------
    row("s25r-regular-name", "mail.example.com", s25r=False, remote=True),
    row("s25r-unresolved", "[203.0.113.10]", s25r=True, remote=True),
    row("s25r-unknown", "unknown", s25r=True, remote=True),
    row("s25r-digits-around-letters", "ab1cd2.example.com", s25r=True, remote=True),
    row("s25r-five-digits", "host12345.example.com", s25r=True, remote=True),
    row("s25r-digit-label", "1.pool.example.com", s25r=True, remote=True),
    row("s25r-digit-label-case", "mx.7a.pool.EXAMPLE.COM", s25r=True, remote=True),
    row("s25r-digit-dash-digit", "a1.b2-3.example.com", s25r=True, remote=True),
    row("s25r-two-digit-labels", "a1.b2.c.example.com", s25r=True, remote=True),
    row("s25r-adsl", "ADSL9.example.net", s25r=True, remote=True),
    row("s25r-ppp", "ppp-7.example.net", s25r=True, remote=True),
    row("s25r-dialup-without-digit", "dialup.example.net", s25r=False, remote=True),
    row("s25r-whitelisted-google", "mail-ab1cd2.google.com", s25r=False, remote=True),
    row("s25r-whitelisted-sendgrid", "wrqvbx12345.sendgrid.net", s25r=False, remote=True),
    row("s25r-site-whitelist-block", "dsl1.trusted.example", s25r=False, remote=True),
    row("s25r-site-blacklist", "bad.example.com", s25r=True, remote=True),
    row("s25r-ipv6-unresolved", "[2001:db8::25]", ipv6("2001:db8::25"), s25r=False,
        remote=True),
    row("s25r-ipv6-dynamic-name", "ppp7.example.net", ipv6("2001:db8::7"), s25r=False,
        remote=True),
    # --- Remote Network (connect: AddressMatcher, ruby-subset.md §9.8) -----------------
    row("remote-loopback", "localhost", ipv4("127.0.0.1"), s25r=False, remote=False),
    row("remote-private-10", "[10.1.2.3]", ipv4("10.1.2.3"), s25r=True, remote=False),
    row("remote-private-172-16", "[172.16.5.4]", ipv4("172.16.5.4"), s25r=True,
        remote=False),
    row("remote-public-172-32", "[172.32.0.1]", ipv4("172.32.0.1"), s25r=True, remote=True),
    row("remote-private-192-168", "[192.168.1.1]", ipv4("192.168.1.1"), s25r=True,
        remote=False),
    row("remote-site-remote-network", "[192.168.77.5]", ipv4("192.168.77.5"), s25r=True,
        remote=True),
    row("remote-site-local-network", "relay.example.com", ipv4("192.0.2.7"), s25r=False,
        remote=False),
    row("remote-ipv6-loopback", "localhost", ipv6("::1"), s25r=False, remote=False),
    row("remote-ipv6-link-local", "[fe80::1]", ipv6("fe80::1"), s25r=False, remote=False),
    row("remote-ipv6-global", "mx6.example.net", ipv6("2001:db8::5"), s25r=False,
        remote=True),
    row("remote-unix-socket", "localhost", "unix:/run/smtp.sock", s25r=False, remote=False),
    row("remote-unknown-family", "unknown", "unknown", s25r=False, remote=False),
    # --- DNSBL (connect; IPv4 only; any service listing the client) ------------------------
    row("dnsbl-spamcop", "[203.0.113.2]", ipv4("203.0.113.2"), s25r=True, remote=True,
        listed=True),
    row("dnsbl-zen-in-range", "mx3.example.net", ipv4("203.0.113.3"), s25r=False,
        remote=True, listed=True),
    row("dnsbl-zen-out-of-range", "mx4.example.net", ipv4("203.0.113.4"), s25r=False,
        remote=True),
    row("dnsbl-sorbs", "[203.0.113.5]", ipv4("203.0.113.5"), s25r=True, remote=True,
        listed=True),
    row("dnsbl-barracuda", "mx6.example.net", ipv4("203.0.113.6"), s25r=False,
        remote=True, listed=True),
    row("dnsbl-sorbs-other-answer", "mx7.example.net", ipv4("203.0.113.7"), s25r=False,
        remote=True),
    row("dnsbl-not-listed", "[203.0.113.8]", ipv4("203.0.113.8"), s25r=True, remote=True),
    row("dnsbl-site-service", "mx9.example.net", ipv4("203.0.113.9"), s25r=False,
        remote=True, listed=True),
    row("dnsbl-ipv6-never-listed", "mx.example.net", ipv6("2001:db8::2"), s25r=False,
        remote=True),
    row("dnsbl-listed-local", "[10.9.8.7]", ipv4("10.9.8.7"), s25r=True, remote=False),
    # --- Authenticated / Unauthenticated (envelope-from: auth_type or auth_authen) ---------
    row("auth-public", "[203.0.113.10]", s25r=True, remote=True, auth={
        "{auth_type}": "PLAIN", "{auth_authen}": "alice"}),
    row("auth-type-only", "mail.example.com", s25r=False, remote=True,
        auth={"{auth_type}": "LOGIN"}),
    row("auth-authen-only", "mail.example.com", s25r=False, remote=True,
        auth={"auth_authen": "bob"}),
    row("auth-local", "localhost", ipv4("127.0.0.1"), s25r=False, remote=False,
        auth={"{auth_authen}": "carol"}),
    row("auth-ipv6", "[2001:db8::9]", ipv6("2001:db8::9"), s25r=False, remote=True,
        auth={"{auth_authen}": "dave"}),
    row("auth-listed", "[203.0.113.2]", ipv4("203.0.113.2"), s25r=True, remote=True,
        listed=True, auth={"{auth_authen}": "erin"}),
    # --- Stress Notify / No Stress (connect: n_processing_sessions ≥ threshold 2) ----------
    row("stress-public", "[203.0.113.10]", s25r=True, remote=True, stress=True),
    row("stress-named", "mail.example.com", s25r=False, remote=True, stress=True),
    row("stress-authenticated", "[203.0.113.10]", s25r=True, remote=True, stress=True,
        auth={"{auth_authen}": "alice"}),
    row("stress-ipv6", "[2001:db8::3]", ipv6("2001:db8::3"), s25r=False, remote=True,
        stress=True),
    row("stress-local", "localhost", ipv4("127.0.0.1"), s25r=False, remote=False,
        stress=True),
    row("stress-listed", "[203.0.113.5]", ipv4("203.0.113.5"), s25r=True, remote=True,
        listed=True, stress=True),
    # --- Trust (envelope-from: {trusted_domain}=yes, never stops) ---------------------------
    row("trust-gmail", s25r=False, remote=True, sender="<someone@gmail.com>",
        trusted=True),
    row("trust-case-folded", s25r=False, remote=True, sender="<X@HotMail.COM>", trusted=True),
    row("trust-site-domain", s25r=False, remote=True, sender="<a@example.com>",
        trusted=True),
    row("trust-site-regexp", s25r=False, remote=True, sender="<a@mail.example.org>",
        trusted=True),
    row("trust-list-file", s25r=False, remote=True, sender="<a@listed.example>",
        trusted=True),
    row("trust-list-file-regexp", s25r=False, remote=True, sender="<a@x.regexp.example>",
        trusted=True),
    row("trust-null-sender", s25r=False, remote=True, sender="<>"),
    row("trust-subdomain", s25r=False, remote=True, sender="<a@sub.gmail.com>"),
    row("trust-without-brackets", s25r=False, remote=True, sender="a@gmail.com"),
    # --- Restrict Accounts (recipient: skip others; data: stop when any was skipped) -------
    row("restrict-all-listed", s25r=False, remote=True,
        recipients=("<alice@example.com>", "<bob@example.org>"),
        restricted=1, recipients_of={"restricted": ["<alice@example.com>",
                                                    "<bob@example.org>"]}),
    row("restrict-one-other", s25r=False, remote=True,
        recipients=("<alice@example.com>", "<carol@example.net>"), restricted=0,
        recipients_of={"restricted": ["<alice@example.com>"],
                       "plain": ["<alice@example.com>", "<carol@example.net>"]}),
    row("restrict-none-listed", s25r=False, remote=True, recipients=("<carol@example.net>",),
        restricted=0, recipients_of={"restricted": []}),
    row("restrict-per-message", s25r=False, remote=True, messages=2,
        recipients=(("<carol@example.net>",), ("<alice@example.com>",)), restricted=1,
        recipients_of={"restricted": ["<alice@example.com>"]}),
    row("restrict-regexp", s25r=False, remote=True, recipients=("<dave@example.org>",)),
    row("restrict-case-matters", s25r=False, remote=True,
        recipients=("<Alice@example.com>",), restricted=0),
    row("restrict-without-brackets", s25r=False, remote=True,
        recipients=("alice@example.com",)),
    # --- Sendmail Compatible (connect: interface macros for Postfix; mail: {i}) ---------------
    row("sendmail-postfix-ipv4", "localhost", s25r=False, remote=False,
        postfix_connection=(SERVER_V4, "127.0.0.9"),
        sendmail=(SERVER_V4, "mx-in.example.test", "port", "dummy-id")),
    row("sendmail-postfix-ipv6", "localhost", s25r=False, remote=False,
        postfix_connection=("::1", "::1"),
        sendmail=("::1", "localhost", "port", "dummy-id")),
    row("sendmail-postfix-unresolvable-interface", "localhost", s25r=False, remote=False,
        postfix_connection=(SERVER_V4_UNNAMED, "127.0.0.10"),
        sendmail=(SERVER_V4_UNNAMED, None, "port", "dummy-id")),
    row("sendmail-postfix-unknown-connection", s25r=False, remote=True),
    row("sendmail-not-postfix", s25r=False, remote=True, macros=SENDMAIL),
    row("sendmail-not-postfix-real-connection", "localhost", s25r=False, remote=False,
        macros=SENDMAIL, postfix_connection=(SERVER_V4, "127.0.0.11")),
]
IDS = [r.session.id for r in ROWS]


def test_enough_sessions():
    """The issue's acceptance: at least 60 sessions, IPv4 and IPv6,
    authenticated or not, listed or not, stress or not."""
    sessions = [r.session for r in ROWS]
    assert len(sessions) >= 60
    assert {s.address.split(":")[0] for s in sessions} >= {"inet", "inet6", "unix", "unknown"}
    assert {bool(s.auth) for s in sessions} == {True, False}
    assert {r.listed for r in ROWS} == {True, False}
    assert {s.stress for s in sessions} == {True, False}


def expected_table(rows):
    table = {}
    for r in rows:
        s = r.session
        auth = bool(s.auth)
        messages = s.messages
        applied = {
            "plain": messages,
            "s25r": messages if r.s25r else 0,
            "remote": messages if r.remote else 0,
            "trust": messages,
            "auth": messages if auth else 0,
            "unauth": 0 if auth else messages,
            "sendmail": messages,
            "stress-notify": messages,
            "no-stress": 0 if s.stress else messages,
            "dnsbl": messages if r.listed else 0,
            "not-dnsbl": 0 if r.listed else messages,
            "restricted": r.restricted,
            # a stack applies when none of its conditions stops (config.md §10.3)
            "greylist": messages if (r.remote and r.s25r and not auth) else 0,
            "spam": messages if (r.remote and not auth and not s.stress) else 0,
        }
        macros = {
            "trust": {"trusted_domain": "yes" if r.trusted else None},
            "stress-notify": {"stress": "yes" if s.stress else None},
            "sendmail": dict(zip(("if_addr", "if_name", "daemon_port", "i"), r.sendmail)),
        }
        table[s.id] = (applied, macros, dict(r.recipients_of))
    return table


@dataclass
class Environment:
    dns: DNSServer
    resolv_conf: str


@pytest.fixture(scope="module")
def environment(tmp_path_factory):
    dns = DNSServer()
    dns.a_records.update(DNSBL)
    dns.ptr_records.update(PTR)
    directory = tmp_path_factory.mktemp("resolver")
    resolv_conf = directory / "resolv.conf"
    resolv_conf.write_text(f"nameserver {dns.address}\n")
    yield Environment(dns, str(resolv_conf))
    dns.close()


def run_table(stock, environment, directory):
    """Run every session of ROWS through a manager with STOCK's files."""
    children = {name: RecordingMilter(name) for name in CHILDREN}
    specs = "\n    ".join(
        f'define_milter("{name}") {{ |m| m.connection_spec = "{children[name].spec}"; '
        f"m.applicable_conditions = {conditions!r} }}"
        for name, conditions in CHILDREN.items())
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MILTER_MANAGER_RESOLV_CONF", environment.resolv_conf)
        config, logged = load_stock(stock, directory, SITE.replace("{specs}", specs),
                                    {"trusted-domains.list": TRUSTED_LIST})
        running = RunningManager(config)
        try:
            table = {}
            for index, r in enumerate(ROWS):
                table[r.session.id] = run_one(running, r, index, children)
        finally:
            running.stop()
            for child in children.values():
                child.close()
    return table, logged


def run_one(running, r, index, children):
    session = r.session
    running.wait_sessions(0)
    background = []
    listener = client = server_side = None
    try:
        if session.stress:
            background.append(socket.create_connection(("127.0.0.1", running.port)))
            running.wait_sessions(1)
        client_address = None
        if session.postfix_connection:
            # A real TCP connection "MTA ← SMTP client", so the netstat table
            # (/proc/net/tcp*) knows the client's address and port.
            server_ip, client_ip = session.postfix_connection
            family = socket.AF_INET6 if ":" in server_ip else socket.AF_INET
            listener = socket.socket(family)
            listener.bind((server_ip, 0))
            listener.listen(1)
            client = socket.socket(family)
            client.bind((client_ip, 0))
            client.connect(listener.getsockname()[:2])
            server_side, _ = listener.accept()
            client_address = client.getsockname()[:2]
            server_port = str(listener.getsockname()[1])
        codes = run_session(running.port, session, connect_packet(session, client_address))
        assert all(code in (b"O", b"c", b"a") for code in codes), codes
    finally:
        for sock in [*background, listener, client, server_side]:
            if sock is not None:
                sock.close()
    applied, macros, recipients = {}, {}, {}
    for name, child in children.items():
        assert wait_until(lambda child=child: child.count() > index), name
        connection = child.connection(index)
        assert wait_until(lambda c=connection: c.closed), name
        applied[name] = connection.commands.count(b"E")
        recipients[name] = [r.decode() for r in connection.recipients]
        if name == "trust":
            macros[name] = {"trusted_domain": connection.macro("trusted_domain")}
        elif name == "stress-notify":
            macros[name] = {"stress": connection.macro("stress")}
        elif name == "sendmail":
            values = {key: connection.macro(key)
                      for key in ("if_addr", "if_name", "daemon_port", "i")}
            if session.postfix_connection and values["daemon_port"] == server_port:
                values["daemon_port"] = "port"
            macros[name] = values
    wanted = {name: recipients[name] for name in r.recipients_of}
    return applied, macros, wanted


def differences(actual, expected):
    """One line per session whose row differs."""
    lines = []
    for session_id, want in expected.items():
        got = actual.get(session_id)
        if got != want:
            lines.append(f"{session_id}:\n  expected {want}\n  got      {got}")
    return lines


@pytest.mark.parametrize("stock", ["upstream", "own"])
def test_table(stock, environment, tmp_path):
    """Every session gives the expected row, for upstream's files and ours —
    so both give the same table. (One test per stock: the table is one run
    of a manager, and test workers would each repeat a shared fixture.)"""
    actual, logged = run_table(stock, environment, tmp_path / f"config-{stock}")
    expected = expected_table(ROWS)
    assert list(actual) == IDS
    problems = differences(actual, expected)
    assert not problems, f"{len(problems)} of {len(ROWS)} sessions differ:\n" + \
        "\n".join(problems)
    assert f"[sendmail-compatible][warning] can't resolve server name: " \
        f"<{SERVER_V4_UNNAMED}>: <no name for {SERVER_V4_UNNAMED}>" in logged.messages()
