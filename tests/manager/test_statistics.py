"""The statistics lines of cli.md §14 and their order, as written by a session."""

import re

from milter_manager.manager.log import STATISTICS
from milter_manager.protocol.commands import (
    Body,
    EndOfHeader,
    EndOfMessage,
    Header,
    Helo,
)
from milter_manager.protocol.replies import (
    Accept,
    AddHeader,
    Continue,
    Quarantine,
    Reject,
)

from .support import SILENT, configuration, connect_packet, egg, run_until

ELAPSED = r"(?:0|\d+(?:\.\d+)?(?:e[-+]\d+)?)"


def statistics(running):
    return [message for level, message in running.recorder.lines if level == STATISTICS]


def wait_finished(running, count=1):
    assert running.recorder.wait_for(f"[sessions][finished] {count}(+")
    return statistics(running)


def test_normal_session_lines_in_order(milters, run_manager):
    a = milters("a", script={b"E": [AddHeader(b"X-A", b"1"), Quarantine(b"maybe"),
                                   Continue()]})
    b = milters("b")
    running = run_manager(configuration(egg("a", a.spec), egg("b", b.spec)))
    mta = running.mta()
    run_until(mta, b"T")
    assert mta.command(Header(b"From", b"kou")).wire_code == b"c"
    assert mta.command(EndOfHeader()).wire_code == b"c"
    assert mta.command(Body(b"Hi,")).wire_code == b"c"
    assert mta.command(EndOfMessage()).wire_code == b"c"
    mta.close()
    lines = wait_finished(running)
    patterns = [
        r"\[milter\]\[header\]\[add\]\(2\): <X-A>=<1>: a",
        r"\[session\]\[header\]\[add\]\(1\): <X-A>=<1>",
        r"\[reply\]\[end-of-message\]\[quarantine\]\(1\)",
        rf"\[session\]\[end\]\[end-of-message\]\[pass\]\[{ELAPSED}\]\(1\)",
        rf"\[milter\]\[end\]\[end-of-message\]\[pass\]\[{ELAPSED}\]\(2\): a",
        rf"\[milter\]\[end\]\[end-of-message\]\[pass\]\[{ELAPSED}\]\(3\): b",
        r"\[sessions\]\[finished\] 1\(\+1\) 0",
    ]
    assert len(lines) == len(patterns), lines
    for line, pattern in zip(lines, patterns, strict=True):
        assert re.fullmatch(pattern, line), (line, pattern)


def test_child_ending_early_is_reported_at_that_moment(milters, run_manager):
    a = milters("a", script={b"C": [Accept()]})
    b = milters("b", script={b"H": [Reject()]})
    running = run_manager(configuration(egg("a", a.spec), egg("b", b.spec)))
    mta = running.mta()
    run_until(mta, b"C")
    assert running.recorder.wait_for("[milter][end][connect][accept]")
    assert mta.command(Helo(b"h")).wire_code == b"r"
    mta.close()
    lines = wait_finished(running)
    assert re.fullmatch(rf"\[milter\]\[end\]\[connect\]\[accept\]\[{ELAPSED}\]\(2\): a",
                        lines[0])
    assert re.fullmatch(rf"\[milter\]\[end\]\[helo\]\[reject\]\[{ELAPSED}\]\(3\): b",
                        lines[1])
    assert re.fullmatch(rf"\[session\]\[end\]\[helo\]\[reject\]\[{ELAPSED}\]\(1\)", lines[2])
    assert lines[3] == "[sessions][finished] 1(+1) 0"


def test_evaluation_child_reports_its_own_verdict(milters, run_manager):
    a = milters("a", script={b"H": [Reject()]})
    running = run_manager(configuration(egg("a", a.spec, evaluation_mode=True)))
    mta = running.mta()
    run_until(mta, b"C")
    assert mta.command(Helo(b"h")).wire_code == b"a"     # folded as accept
    mta.close()
    lines = wait_finished(running)
    assert any(re.fullmatch(rf"\[milter\]\[end\]\[helo\]\[reject\]\[{ELAPSED}\]\(2\): a", line)
               for line in lines), lines


def test_never_connected_child_and_failed_child(milters, run_manager):
    dead = milters("dead", listen=False)
    slow = milters("slow", script={b"H": SILENT})
    running = run_manager(configuration(
        egg("dead", dead.spec),
        egg("slow", slow.spec, reading_timeout=0.2, fallback_status="temporary-failure")))
    mta = running.mta()
    run_until(mta, b"C")
    assert mta.command(Helo(b"h")).wire_code == b"t"
    mta.close()
    lines = wait_finished(running)
    assert "[milter][end][start][pass][0](2): dead" in lines
    assert any(re.fullmatch(rf"\[milter\]\[end\]\[helo\]\[temporary-failure\]\[{ELAPSED}\]"
                            r"\(3\): slow", line) for line in lines), lines


def test_stopped_child_reports_stop(milters, run_manager):
    from .support import Condition
    stop = Condition("policy", {"connect": [lambda context, host, address: True]})
    a = milters("a")
    running = run_manager(configuration(egg("a", a.spec, applicable_conditions=[stop])))
    mta = running.mta()
    run_until(mta, b"O")
    assert mta.command(connect_packet()).wire_code == b"a"     # stop folds accept
    mta.close()
    lines = wait_finished(running)
    assert any(re.fullmatch(rf"\[milter\]\[end\]\[connect\]\[stop\]\[{ELAPSED}\]\(2\): a", line)
               for line in lines), lines


def test_tags_and_finished_counts_over_sessions(milters, run_manager):
    a = milters("a")
    running = run_manager(configuration(egg("a", a.spec)))
    for _ in range(2):
        mta = running.mta()
        run_until(mta, b"C")
        mta.close()
        assert running.recorder.wait_for("[session][end]")
    lines = wait_finished(running, 2)
    ends = [line for line in lines if line.startswith("[session][end]")]
    assert ends[0].endswith("(1)") and ends[1].endswith("(3)")   # children took 2 and 4
    finished = [line for line in lines if line.startswith("[sessions][finished]")]
    assert finished[-1] == "[sessions][finished] 2(+1) 0"


def test_maintained_hooks_run_when_no_session_is_left(milters, run_manager):
    import threading
    ran = threading.Event()
    a = milters("a")
    conf = configuration(egg("a", a.spec))
    conf.maintained_hooks = [ran.set]
    running = run_manager(conf)
    mta = running.mta()
    run_until(mta, b"C")
    assert not ran.wait(0.2)                       # a session is still in progress
    mta.close()
    assert ran.wait(3)


def test_event_loop_created_hooks_get_timeout_and_idle(milters, run_manager):
    import threading
    fired = []
    done = threading.Event()

    def hook(loop):
        def tick():
            fired.append("timeout")
            if len(fired) >= 2:
                done.set()
                return False
            return True
        loop.add_timeout(0.05, tick)
    conf = configuration()
    conf.event_loop_created_hooks = [hook]
    run_manager(conf)
    assert done.wait(3)
    assert fired == ["timeout", "timeout"]
