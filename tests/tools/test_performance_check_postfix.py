"""milter-performance-check against Postfix with our milter-manager as its milter
(the tools issue's acceptance; real-components.md §3–§4, §9): the counts it
reports match what the sink received. Uses the end-to-end fixtures of
tests/e2e (private Postfix, aiosmtpd sink, tiny milter, the manager as a
subprocess); needs root, as they do.
"""
# The imported e2e fixtures are test parameters of the same name:
# ruff: noqa: F811

from __future__ import annotations

import io
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

# The e2e fixtures, reused as they are (imported fixtures are registered for
# this module); logbook is autouse there and here.
from e2e.components.manager import ruby_config
from e2e.components.waiting import wait_until
from e2e.conftest import (  # noqa: F401 - pytest fixtures
    daemon_tmp,
    logbook,
    manager_factory,
    postfix_factory,
    sink,
    tiny_milter_factory,
)

from milter_manager.tools.performance_check import main

pytestmark = [pytest.mark.slow, pytest.mark.e2e_postfix]


@pytest.fixture(scope="module")
def daemon_root() -> Iterator[Path]:
    """The directory of the daemons that drop privileges, as tests/e2e's
    session-scoped `daemon_root` makes it (outside pytest's 0700 tmp root,
    searchable by them). Not imported: a session fixture imported here would
    be a second definition next to the e2e conftest's, set up twice in a run
    of the whole suite."""
    root = Path(tempfile.mkdtemp(prefix="mm-e2e-tools-"))
    os.chmod(root, 0o711)
    try:
        yield root
    finally:
        shutil.rmtree(root, ignore_errors=True)


def counts(report: str) -> dict[str, int]:
    values = re.findall(r"^ *(N mails|Temporary failure|Reject|Error): +(\d+)", report,
                        re.MULTILINE)
    return {key: int(value) for key, value in values}


def test_counts_match_what_the_sink_received(sink, tiny_milter_factory, manager_factory,
                                             postfix_factory, tmp_path):
    tiny = tiny_milter_factory()
    manager = manager_factory(ruby_config([("tiny", tiny.port)]))
    # Postfix refuses two recipients with a 5xx and one with a 4xx at RCPT.
    access = ("inline:{ {rcpt0@example.org=554 5.7.1 denied by policy}, "
              "{rcpt3@example.org=554 5.7.1 denied by policy}, "
              "{rcpt4@example.org=450 4.2.0 greylisted} }")
    postfix = postfix_factory([manager.postfix_milter], settings={
        "smtpd_recipient_restrictions": f"check_recipient_access {access}"})
    mails = tmp_path / "mails"
    mails.mkdir()
    for index in range(6):
        (mails / f"mail{index}.eml").write_text(
            f"From: Sender <sender{index}@example.com>\nTo: rcpt{index}@example.org\n"
            f"Subject: load {index}\n\nbody {index}\n")
    out, err = io.StringIO(), io.StringIO()
    assert main(["--smtp-server=127.0.0.1", f"--smtp-port={postfix.smtp_port}",
                 "--n-concurrent-connections=3", "--report-failure-responses",
                 "--connect-host=mail.example.net", "--connect-address=127.0.0.2",
                 str(mails)], stdout=out, stderr=err) == 0
    report = out.getvalue()
    assert err.getvalue() == ""
    assert counts(report) == {"N mails": 6, "Temporary failure": 1, "Reject": 2, "Error": 0}
    assert f"Rejected mails:\n{mails}/mail0.eml\n{mails}/mail3.eml\n\n" in report
    assert f"Temporary failed mails:\n{mails}/mail4.eml\n\n" in report
    assert "Temporary failures:\n  1 450 4.2.0 <rcpt4@example.org>: " in report
    assert "Rejects:\n  1 554 5.7.1 <rcpt0@example.org>: " in report
    delivered = sink.wait_for(3, logs=tuple(postfix.logs))
    assert len(delivered) == 3
    assert sorted(m.mail_from for m in delivered) == [
        f"sender{i}@example.com" for i in (1, 2, 5)]
    for message in delivered:
        # Through the manager: the child's header is there.
        assert b"X-Tiny-Milter: seen-by-tinymilter\r\n" in message.data
    # XCLIENT: Postfix connects its milters again with the client name and
    # address given on the command line, once per SMTP session.
    connects = [data for _, letter, data in tiny.commands() if letter == "C"]
    named = [data for data in connects if data.startswith(b"mail.example.net\0")]
    assert len(named) == 6
    assert all(data.endswith(b"127.0.0.2\0") for data in named)


def test_generated_mails_through_postfix(sink, tiny_milter_factory, manager_factory,
                                         postfix_factory):
    tiny = tiny_milter_factory()
    manager = manager_factory(ruby_config([("tiny", tiny.port)]))
    postfix = postfix_factory([manager.postfix_milter])
    out = io.StringIO()
    assert main(["--smtp-server=127.0.0.1", f"--smtp-port={postfix.smtp_port}",
                 "--n-mails=20", "--n-concurrent-connections=5",
                 "--recipient=a@example.org", "--recipient=b@example.org"],
                stdout=out, stderr=io.StringIO()) == 0
    assert counts(out.getvalue()) == {"N mails": 20, "Temporary failure": 0, "Reject": 0,
                                      "Error": 0}
    delivered = sink.wait_for(20, logs=tuple(postfix.logs))
    assert len(delivered) == 20
    assert all(sorted(m.rcpt_tos) == ["a@example.org", "b@example.org"] for m in delivered)
    # The manager saw every SMTP session (cli.md §14: one [session][end] line each).
    wait_until(lambda: sum("]: [session][end][" in line for line in manager.log_lines()) >= 20,
               timeout=20, what="20 session ends in the manager's log", logs=manager.logs)
    assert sum("]: [session][end][" in line for line in manager.log_lines()) == 20
