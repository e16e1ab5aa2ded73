"""Log lines of the protocol tools: `-v` and the `MILTER_LOG_*` environment (tools.md §1.1;
cli.md §3, §13.2, §13.3)."""

from __future__ import annotations

import os
import re
import socket

import pytest

from .test_test_server_doubles import ScriptedMilter, run_tool

TIME = rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?Z"


@pytest.fixture
def refused_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch):
    for name in ("MILTER_LOG_LEVEL", "MILTER_LOG_ITEM", "MILTER_LOG_COLORIZE",
                 "MILTER_LOG_PATH"):
        monkeypatch.delenv(name, raising=False)


def connect_error(refused_port: int) -> bytes:
    return (f"[server][error][connect] [milter-test-server] Failed to connect to "
            f"inet:{refused_port}@127.0.0.1: Connection refused").encode()


@pytest.mark.parametrize(("items", "prefix"), [
    (None, rb"\[" + TIME + rb"\]: "),
    ("level|time", rb"\[error\]\[" + TIME + rb"\]: "),
    ("name|pid", rb"\[milter-test-server\]\[PID\]: "),
    ("domain", rb"\[milter-server\]: "),
    ("+pid", rb"\[" + TIME + rb"\] \[PID\]: "),
    ("none", rb""),
    ("all", rb"\[error\]\[milter-server\]\[" + TIME + rb"\] \[milter-test-server\]\[PID\] "
            rb"\S+test_server_session\.py:\d+: _connected\(\): "),
])
def test_log_items(capfdbinary, monkeypatch, refused_port, items, prefix):
    if items is not None:
        monkeypatch.setenv("MILTER_LOG_ITEM", items)
    status, out = run_tool(capfdbinary, "-s", f"inet:{refused_port}@127.0.0.1")
    assert status == 1
    log_line = out.split(b"\n")[0]
    # The pid is filled in here, not in the parameters: test ids must not
    # depend on the collecting process (pytest-xdist compares them).
    prefix = prefix.replace(rb"PID", str(os.getpid()).encode())
    assert re.fullmatch(prefix + re.escape(connect_error(refused_port)), log_line), log_line


def test_colour_of_log_messages(capfdbinary, monkeypatch, refused_port):
    monkeypatch.setenv("MILTER_LOG_COLORIZE", "console")
    _, out = run_tool(capfdbinary, "-s", f"inet:{refused_port}@127.0.0.1")
    assert out.split(b"\n")[0].endswith(
        b": \033[01;37m\033[41m" + connect_error(refused_port) + b"\033[00m")


def test_log_path_takes_the_log_lines(capfdbinary, monkeypatch, refused_port, tmp_path):
    path = tmp_path / "tool.log"
    monkeypatch.setenv("MILTER_LOG_PATH", str(path))
    status, out = run_tool(capfdbinary, "-s", f"inet:{refused_port}@127.0.0.1")
    assert status == 1
    assert out == b"Failed to connect to inet:%d@127.0.0.1: Connection refused\n" % refused_port
    assert path.read_bytes().endswith(connect_error(refused_port) + b"\n")


def test_an_invalid_level_is_a_warning(capfdbinary, monkeypatch, refused_port):
    monkeypatch.setenv("MILTER_LOG_LEVEL", "foo")
    _, out = run_tool(capfdbinary, "-s", f"inet:{refused_port}@127.0.0.1")
    lines = out.split(b"\n")
    assert re.fullmatch(rb"\[" + TIME + rb"\]: \[logger\]\[level\]\[set\]\[warning\] "
                        rb"unknown flag names: \[<foo>\]\(<MilterLogLevelFlags>\)", lines[0])


@pytest.mark.parametrize("how", ["-v", "MILTER_LOG_LEVEL=all"])
def test_verbose_logs_the_session_before_the_result(capfdbinary, monkeypatch, how):
    # [deviation] tools.md §1.1: upstream's -v has no effect.
    double = ScriptedMilter()
    arguments = ["-s", double.spec]
    if how == "-v":
        arguments.append("-v")
    else:
        monkeypatch.setenv("MILTER_LOG_LEVEL", "all")
    try:
        status, out = run_tool(capfdbinary, *arguments, "--name", "mta")
    finally:
        double.close()
    assert status == 0
    lines = out.split(b"\n")
    assert lines[-3] == b"status: pass" and lines[-1] == b""
    log = b"\n".join(lines[:-3])
    for text in (b"[server][send][helo] [mta]", b"[server][receive][continue] [mta]",
                 b"[server][send][end-of-message] [mta]"):
        assert text in log


def test_default_level_logs_nothing_for_a_normal_session(capfdbinary):
    double = ScriptedMilter()
    try:
        status, out = run_tool(capfdbinary, "-s", double.spec)
    finally:
        double.close()
    assert status == 0
    assert out.split(b"\n")[0] == b"status: pass"
