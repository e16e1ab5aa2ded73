"""A stopper that raises (config.md §10.3, manager.md §12): logged at error
level with its Ruby backtrace (`CLASS: MESSAGE:` then `FILE:LINE:in 'NAME'`
per interpreted frame), counted as falsy — the next stopper still runs —
and the session goes on; with upstream's stock files and ours."""

import time

import pytest

from milter_manager.config import log_level

from .support import (
    RecordingMilter,
    RunningManager,
    Session,
    connect_packet,
    load_stock,
    run_session,
    wait_until,
)

SITE = """\
def explode(host)
  raise ArgumentError, "bad host: #{host}"
end

define_applicable_condition("Exploding") do |condition|
  condition.define_connect_stopper do |context, host, address|
    explode(host)
  end
end
define_applicable_condition("Stop Everything") do |condition|
  condition.define_connect_stopper { |context, host, address| true }
end
define_applicable_condition("Runaway") do |condition|
  condition.define_helo_stopper { |context, fqdn| loop { } }
end
s25r.add_whitelist { |host| host.fetch(99) }
trust.add_envelope_from_domain { |domain| raise "no trust today" }
{milters}
"""
MILTERS = {
    "raises": ["Exploding"],
    "raises-then-stops": ["Exploding", "Stop Everything"],
    "s25r-broken-whitelist": ["S25R"],
    "trust-broken": ["Trust"],
    "runaway": ["Runaway"],
    "plain": [],
}


@pytest.fixture(params=["upstream", "own"])
def run(request, tmp_path):
    children = {name: RecordingMilter(name) for name in MILTERS}
    milters = "\n".join(
        f'define_milter("{name}") {{ |m| m.connection_spec = "{children[name].spec}"; '
        f"m.applicable_conditions = {conditions!r} }}"
        for name, conditions in MILTERS.items())
    config, logged = load_stock(request.param, tmp_path / "config",
                                SITE.replace("{milters}", milters))
    running = RunningManager(config)
    session = Session("errors", host="mail.example.com", address="inet:25@[203.0.113.7]",
                      sender="<someone@example.net>")
    started = time.monotonic()
    codes = run_session(running.port, session, connect_packet(session))
    elapsed = time.monotonic() - started
    for child in children.values():
        assert wait_until(lambda child=child: child.count() == 1
                          and child.connection(0).closed)
    running.stop()
    for child in children.values():
        child.close()
    yield codes, children, logged, tmp_path / "config" / "milter-manager.local.conf", elapsed


def error_lines(logged):
    return [message for level, message in logged if level == log_level.ERROR]


def test_the_session_goes_on(run):
    codes, children, _, _, _ = run
    assert codes == [b"O"] + [b"c"] * 8 + [b"a"]
    applied = {name: child.connection(0).applied for name, child in children.items()}
    # a raising stopper is falsy: not stopped; the next condition's stopper
    # still runs and stops; a broken whitelist makes S25R's stopper raise, so
    # even a regular host name gets the milter
    assert applied == {"raises": True, "raises-then-stops": False,
                       "s25r-broken-whitelist": True, "trust-broken": True,
                       "runaway": True, "plain": True}
    assert children["raises-then-stops"].connection(0).commands == [b"O", b"A", b"Q"]
    assert children["trust-broken"].connection(0).macro("trusted_domain") is None


def test_logged_with_the_ruby_backtrace(run):
    _, _, logged, local, _ = run
    lines = error_lines(logged)
    start = lines.index("ArgumentError: bad host: mail.example.com:")
    assert lines[start + 1:start + 3] == [f"{local}:2:in 'explode'",
                                          f"{local}:7:in 'block (2 levels) in <main>'"]
    # once per child whose conditions include it
    assert lines.count("ArgumentError: bad host: mail.example.com:") == 2
    start = lines.index("NoMethodError: undefined method 'fetch' for an instance of String:")
    assert lines[start + 1] == f"{local}:16:in 'block in <main>'"
    assert any(line.endswith("applicable-conditions/s25r.conf:" + line.rsplit(":", 2)[1]
                             + ":in 'white?'") for line in lines[start:])
    assert "RuntimeError: no trust today:" in lines
    assert f"{local}:17:in 'block in <main>'" in lines


def test_runaway_stopper_ends_on_its_step_budget(run):
    _, _, logged, local, elapsed = run
    lines = error_lines(logged)
    budget = [line for line in lines if "step budget" in line]
    assert len(budget) == 1 and budget[0].startswith("StepBudgetExceeded: ")
    assert lines[lines.index(budget[0]) + 1].startswith(f"{local}:14:in ")
    assert elapsed < 60
