"""The stand-in `milter-test-server` of the `manager/` set (tools.md §1.4–§1.6), against a test milter."""

from __future__ import annotations

import re

import pytest

from milter_manager.testing.harness.test_server import FakeTestServer, run_test_server

from .milter_process import MilterProcess


@pytest.fixture
def milter():
    started: list[MilterProcess] = []

    def start(*arguments: str) -> MilterProcess:
        process = MilterProcess(*arguments)
        process.wait_ready()
        started.append(process)
        return process
    yield start
    for process in started:
        process.kill()


def lines(milter_process: MilterProcess, *extra: str) -> list[str]:
    result = run_test_server([*extra, "-s", f"inet:{milter_process.port}@127.0.0.1"])
    assert result.returncode == 0
    assert result.stderr == ""
    return result.stdout.splitlines()


def test_default_session_passes_and_sends_everything(milter):
    process = milter()
    output = lines(process, "--unknown='!'")
    assert output[0] == "status: pass"
    assert re.match(r"^elapsed-time: [\d.]+ seconds$", output[1])
    _, out, _ = process.finish()
    received = [line.split(":")[1].strip() for line in out.decode().splitlines()
                if line.startswith("receive: ")]
    assert received == ["negotiate", "define-macro", "connect", "define-macro", "helo",
                        "define-macro", "envelope-from", "define-macro",
                        "envelope-recipient", "unknown", "define-macro", "data", "header",
                        "header", "define-macro", "end-of-header", "body", "define-macro",
                        "end-of-message", "quit"]
    assert b"receive: unknown: '!'" in out
    assert b"receive: envelope-from: <sender@example.com>" in out
    assert b"receive: header: To <receiver@example.org>" in out


@pytest.mark.parametrize(("arguments", "status"), [
    (("--action=reject", "--envelope-from=<sender@example.com>"), "status: reject"),
    (("--action=reject", "--envelope-recipient=<kou+receive@cozmixng.org>"), "status: pass"),
    (("--action=skip", "--body-regexp=Message"), "status: pass"),
    (("--action=discard", "--end-of-message"), "status: discard"),
    (("--action=temporary-failure", "--data"), "status: temporary-failure"),
    (("--reply-code=554 5.7.1 1% 2%% 3%%%", "--helo=delian"),
     "status: reject [554]<5.7.1>(1% 2%% 3%%%)"),
    (("--action=shutdown", "--helo=delian"), "status: abort"),
    (("--quarantine=spam",), "status: quarantine"),
])
def test_status_line(milter, arguments, status):
    assert lines(milter(*arguments))[0] == status


def test_connection_failure_is_reported_with_exit_1():
    from .milter_process import free_port
    port = free_port()
    result = run_test_server(["-s", f"inet:{port}@127.0.0.1"])
    assert result.returncode == 1
    assert result.stdout == f"Failed to connect to inet:{port}@127.0.0.1: Connection refused\n"


def test_unsupported_options_are_refused():
    with pytest.raises(ValueError):
        FakeTestServer.from_arguments(["--mail-file=x", "-s", "inet:1@127.0.0.1"])
