"""Faults live (the real-MTA issue; manager.md §9, §11, cli.md §8.1,
real-components.md §4.4, §9):

* a child killed while it works on a message: its `fallback_status` decides
  that message, and the next mails are still served (without it);
* the manager stopped: Postfix's `milter_default_action` applies; a session
  that was running when SIGTERM came completes first; restarted on the same
  port, service resumes;
* no mail that Postfix accepted is lost: every 250 reaches the sink.
"""

from __future__ import annotations

import selectors
import signal
import socket
import struct
import threading
from collections.abc import Callable, Iterator

import pytest

from .components.manager import ruby_config
from .components.ports import LOOPBACK
from .components.smtp import Outcome
from .components.tinymilter import TinyMilter
from .components.waiting import wait_closed, wait_until
from .delivery import added_field, header_fields, parse_relayed, wait_for_queue_ids
from .mails import RECIPIENT, SENDER, message

pytestmark = [pytest.mark.slow, pytest.mark.e2e_postfix]

# Postfix's replies when a milter answers reject / temporary failure without
# a reply code, and its milter_default_action=tempfail reply.
MILTER_REJECT = (550, "5.7.1 Command rejected")
MILTER_TEMPFAIL = (451, "4.7.1 Service unavailable - try again later")

# Long enough to kill the child while the manager waits for its reply.
EOM_DELAY = 5.0
# Long enough to send a mail while the manager drains a session.
DRAIN_EOM_DELAY = 2.5


class Background:
    """One SMTP transaction in a thread (the test acts while it runs)."""

    def __init__(self, send: Callable[[], Outcome]) -> None:
        self.outcome: Outcome | None = None
        self.error: BaseException | None = None

        def run() -> None:
            try:
                self.outcome = send()
            except BaseException as exc:  # noqa: BLE001 - re-raised in result()
                self.error = exc

        self.thread = threading.Thread(target=run, daemon=True)
        self.thread.start()

    def result(self, timeout: float = 60.0) -> Outcome:
        self.thread.join(timeout)
        assert not self.thread.is_alive(), "the SMTP transaction did not finish"
        if self.error is not None:
            raise self.error
        assert self.outcome is not None
        return self.outcome


def wait_for_end_of_message(milter: TinyMilter, count: int = 1) -> None:
    """Until `milter` has received its `count`-th end-of-message command."""
    wait_until(lambda: sum(cmd == "E" for _, cmd, _ in milter.commands()) >= count,
               timeout=30, what=f"end-of-message #{count} at {milter.name}", logs=milter.logs)


def assert_accepted_mails_delivered(sink, outcomes: list[Outcome]) -> None:
    """No mail that Postfix accepted is lost, and nothing else arrived."""
    queue_ids = [o.queue_id for o in outcomes if o.accepted]
    wait_for_queue_ids(sink, queue_ids)
    assert len(sink.messages) == len(queue_ids)


# -- a child dies mid-run ---------------------------------------------------------

FALLBACKS = {"accept": None, "reject": MILTER_REJECT, "temporary-failure": MILTER_TEMPFAIL}


@pytest.mark.parametrize("fallback", FALLBACKS.keys())
def test_child_killed_mid_message_its_fallback_decides(fallback, sink, tiny_milter_factory,
                                                       manager_factory, postfix_factory):
    doomed = tiny_milter_factory("doomed", headers=[("X-Doomed", "1")], eom_delay=EOM_DELAY)
    other = tiny_milter_factory("other", headers=[("X-Other", "2")])
    manager = manager_factory(ruby_config(
        [("doomed", doomed.port), ("other", other.port)],
        settings={"doomed": {"fallback_status": fallback}}))
    postfix = postfix_factory([manager.postfix_milter])
    first = message(1, "", "the child dies while it works on this one\n")

    running = Background(lambda: postfix.send(SENDER, [RECIPIENT], first))
    wait_for_end_of_message(doomed)
    doomed.process.stop(sig=signal.SIGKILL)
    outcome = running.result()

    # manager.md §9.2: the head of the chain fails -> as if it had answered
    # its fallback status; accept lets the next child finish the message.
    expected = FALLBACKS[fallback]
    if expected is None:
        assert outcome.accepted, outcome
        relayed = parse_relayed(sink.wait_for_one().data)
        assert relayed.below == [*header_fields(first)[0], b"X-Other: 2\r\n"]
    else:
        assert outcome.final_command == "DATA-END", outcome
        assert (outcome.final.code, outcome.final.text) == expected
    ends = {end.name: end for end in manager.wait_for_milter_ends(2)}
    assert (ends["doomed"].state, ends["doomed"].status) == ("end-of-message", fallback)

    # The next mails are served at once. The dead child's connection is
    # refused: it is not negotiated (manager.md §9.3), and its fallback
    # decides again (§5.2): accept -> the session goes on with the other
    # child; reject or temporary-failure -> the session is expired by
    # fallback and every command gets manager.fallback_status (accept by
    # default, §11), so the mail passes unfiltered rather than being refused.
    later = [message(n, "", f"mail {n} after the child died\n") for n in (2, 3)]
    outcomes = [postfix.send(SENDER, [RECIPIENT], data) for data in later]
    assert all(o.accepted for o in outcomes), outcomes
    assert_accepted_mails_delivered(sink, [outcome, *outcomes])
    added = [b"X-Other: 2\r\n"] if fallback == "accept" else []
    for data, o in zip(later, outcomes, strict=True):
        delivered = wait_for_queue_ids(sink, [o.queue_id])[o.queue_id]
        assert parse_relayed(delivered.data).below == [*header_fields(data)[0], *added]


class ResettingListener:
    """A "child" whose process is dying: the kernel still accepts on its
    port, then the connection is reset (SO_LINGER 0) as soon as the manager
    sends its negotiate (real-components.md §9: upstream stalls until
    Postfix's milter_command_timeout)."""

    def __init__(self) -> None:
        self.server = socket.create_server((LOOPBACK, 0))
        self.port = self.server.getsockname()[1]
        self.resets = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        with selectors.DefaultSelector() as selector:
            selector.register(self.server, selectors.EVENT_READ)
            while not self._stop.is_set():
                if not selector.select(timeout=0.1):
                    continue
                conn, _ = self.server.accept()
                with conn:
                    conn.settimeout(5)
                    try:
                        conn.recv(4)  # the negotiate's length: it was sent
                    except OSError:
                        pass
                    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                    struct.pack("ii", 1, 0))
                self.resets += 1

    def close(self) -> None:
        self._stop.set()
        self._thread.join(5)
        self.server.close()


@pytest.fixture
def resetting_listener() -> Iterator[ResettingListener]:
    listener = ResettingListener()
    try:
        yield listener
    finally:
        listener.close()


def test_child_resetting_during_negotiate_does_not_stall(sink, tiny_milter, resetting_listener,
                                                         manager_factory, postfix_factory):
    # manager.md §5.1: a child that closes during negotiate is "not
    # negotiated" and never blocks the reply. A stall would run into
    # Postfix's milter_command_timeout, and milter_default_action=tempfail
    # would refuse the mail with 451.
    manager = manager_factory(ruby_config([("dying", resetting_listener.port),
                                           ("tiny", tiny_milter.port)]))
    postfix = postfix_factory([manager.postfix_milter], milter_default_action="tempfail")
    sent = message(1, "", "the first child resets its connection\n")

    outcome = postfix.send(SENDER, [RECIPIENT], sent)

    assert outcome.accepted, outcome
    assert resetting_listener.resets >= 1
    relayed = parse_relayed(sink.wait_for_one().data)
    assert relayed.below == [*header_fields(sent)[0],
                             added_field("X-Tiny-Milter", "seen-by-tinymilter")]
    ends = {end.name: end for end in manager.wait_for_milter_ends(2)}
    assert ends["dying"].state == "negotiate"
    assert (ends["tiny"].state, ends["tiny"].status) == ("end-of-message", "accept")


# -- the manager stops and comes back ------------------------------------------------

@pytest.mark.parametrize("default_action", ["tempfail", "accept"])
def test_manager_stopped_then_restarted(default_action, sink, tiny_milter_factory,
                                        manager_factory, postfix_factory):
    tiny = tiny_milter_factory(eom_delay=DRAIN_EOM_DELAY)
    manager = manager_factory(ruby_config([("tiny", tiny.port)]))
    postfix = postfix_factory([manager.postfix_milter], milter_default_action=default_action)
    tiny_header = added_field("X-Tiny-Milter", "seen-by-tinymilter")
    mails = [message(n, "", f"mail {n}\n") for n in (1, 2, 3, 4)]

    def refused_by_default_action(outcome: Outcome) -> None:
        # Postfix cannot reach the manager: milter_default_action decides.
        if default_action == "tempfail":
            assert outcome.final_command == "MAIL", outcome
            assert (outcome.final.code, outcome.final.text) == MILTER_TEMPFAIL
        else:
            assert outcome.accepted, outcome

    # SIGTERM while a session waits for the child (cli.md §8.1): the
    # listening socket closes at once, so a new SMTP session gets Postfix's
    # default action, while the running one is drained and completes with
    # the child's header.
    running = Background(lambda: postfix.send(SENDER, [RECIPIENT], mails[0]))
    wait_for_end_of_message(tiny)
    manager.terminate()
    wait_closed(manager.port, timeout=10, logs=manager.logs)
    during_drain = postfix.send(SENDER, [RECIPIENT], mails[1])
    drained = running.result()
    assert manager.wait_exit() == 0
    assert drained.accepted, drained
    refused_by_default_action(during_drain)

    # The manager is gone.
    while_down = postfix.send(SENDER, [RECIPIENT], mails[2])
    refused_by_default_action(while_down)

    # Restarted on the same port: served again, with the child.
    manager.restart()
    after_restart = postfix.send(SENDER, [RECIPIENT], mails[3])
    assert after_restart.accepted, after_restart

    outcomes = [drained, during_drain, while_down, after_restart]
    assert_accepted_mails_delivered(sink, outcomes)
    by_id = wait_for_queue_ids(sink, [o.queue_id for o in outcomes if o.accepted])
    via_manager = (True, False, False, True)
    for data, outcome, filtered in zip(mails, outcomes, via_manager, strict=True):
        if not outcome.accepted:
            continue
        expected = [*header_fields(data)[0], *([tiny_header] if filtered else [])]
        assert parse_relayed(by_id[outcome.queue_id].data).below == expected
