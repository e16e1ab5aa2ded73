"""The harness fails when the manager's behaviour differs from a scenario (scenarios.md §5, §6).

Each test runs a small scenario, built on the shared import chain, against the
real manager in this process and checks the outcome line. The configuration
is the base configuration of §2 built with the configuration model (the
harness is under test here, not the Ruby loader).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from milter_manager.config.model import Configuration
from milter_manager.testing.harness.runner import FAIL, PASS, RunnerOptions, run_file

from .conftest import FIXTURES, SHARED

LEADER = FIXTURES / "leader"
CLIENTS = """clients=client10026;client10027

[client10026]
port=10026
{args1}

[client10027]
port=10027
{args2}
"""


def base_configuration(files: list[Path], load_path: Path, **egg_settings: object) -> object:
    """§2's base configuration: milter@10026 and milter@10027 on their ports."""
    config = Configuration()
    for port in (10026, 10027):
        egg = config.begin_egg(f"milter@{port}", None)
        config.set_egg(egg, "connection_spec", f"inet:{port}@localhost", None)
        config.commit_egg(egg)
    return config


def scenario(tmp_path: Path, imports: str, actions: str, groups: str,
             args1: str = "", args2: str = "") -> Path:
    path = tmp_path / "case.txt"
    path.write_text(f"[scenario]\nimport={LEADER / imports}\nactions={actions}\n"
                    + CLIENTS.format(args1=args1, args2=args2) + "\n" + groups)
    return path


def run(path: Path):
    return run_file(str(path), RunnerOptions(root=SHARED / "upstream"),
                    load_configuration=base_configuration)


def test_a_matching_scenario_passes(tmp_path):
    path = scenario(tmp_path, "connect.txt", "helo", """[helo]
command=helo
fqdn=delian
response=helo
n_received=2
status=continue
fqdns=delian;delian
""")
    outcome = run(path)
    assert outcome.result == PASS, outcome.message + outcome.diagnostics


@pytest.mark.parametrize(("groups", "message"), [
    ("status=reject\nfqdns=delian;delian\n", "[helo] status: expected reject, got continue"),
    ("status=continue\nfqdns=delian;delian\nn_received=1\n",
     "[helo] n_received: expected 1 'helo' received by the clients, got 2"),
    ("status=continue\nfqdns=delian;other\n",
     "[helo] fqdns: expected ['delian', 'other'], got ['delian', 'delian']"),
    ("status=continue\n", "[helo] fqdns: expected [], got ['delian', 'delian']"),
    ("status=continue\nfqdns=delian;delian\nreply_codes=554 5.7.1 x\n",
     "[helo] reply_codes: expected ['554 5.7.1 x'], got []"),
    ("status=continue\nfqdns=delian;delian\nn_alive=1\n", "[helo] n_alive: expected 1, got 2"),
])
def test_a_difference_fails_naming_group_and_key(tmp_path, groups, message):
    path = scenario(tmp_path, "connect.txt", "helo",
                    "[helo]\ncommand=helo\nfqdn=delian\nresponse=helo\n" + groups)
    outcome = run(path)
    assert outcome.result == FAIL
    assert outcome.message == message
    assert "--- manager log" in outcome.diagnostics


def test_end_of_message_records_are_compared(tmp_path):
    path = scenario(tmp_path, "body.txt", "end-of-message", """[end-of-message]
command=end-of-message
response=end-of-message
n_received=2
status=continue
chunks=;Hi,;
end_of_message_chunks=;;
headers=From:kou+sender@example.com
add_recipients=someone@example.com;
""", args1="arguments=--add-header=X-Test:1")
    outcome = run(path)
    assert outcome.result == FAIL
    assert outcome.message.startswith("[end-of-message] headers: expected")


def test_unexpected_modification_fails_through_a_missing_key(tmp_path):
    path = scenario(tmp_path, "body.txt", "end-of-message", """[end-of-message]
command=end-of-message
response=end-of-message
n_received=2
status=continue
chunks=;Hi,;
end_of_message_chunks=;;
headers=From:kou+sender@example.com
""", args2="arguments=--add-recipient=extra@example.com")
    outcome = run(path)
    assert outcome.result == FAIL
    assert outcome.message == ("[end-of-message] add_recipients: expected [], got "
                               "[('extra@example.com', NULL)]")


def test_error_group_fails_when_the_manager_answers_normally(tmp_path):
    # After a plain MAIL both children process the message: the RCPT is answered
    # `continue`, not the manager fallback (accept) that the error group expects.
    path = scenario(tmp_path, "envelope-from.txt", "envelope-recipient", """[envelope-recipient]
command=envelope-recipient
recipient=recipient@example.com
error_domain=milter-manager-children-error-quark
error_type=MilterManagerChildrenError
error_code=no-message-processing-milter
error_message=None of milters are processing message.
""")
    outcome = run(path)
    assert outcome.result == FAIL
    assert outcome.message == ("[envelope-recipient] status: expected accept "
                               "(no-message-processing-milter), got continue")


def test_abort_group_per_client_response(tmp_path):
    path = scenario(tmp_path, "envelope-from.txt", "abort", """[abort]
command=abort
response=abort
response[client10027]=none
n_received=2
status=continue
""")
    outcome = run(path)
    assert outcome.result == FAIL
    assert outcome.message == "[abort] response[client10027]: expected no output, got 1 record(s)"


def test_quit_response_waits_for_the_close(tmp_path):
    path = scenario(tmp_path, "helo.txt", "quit", """[quit]
command=quit
response=quit
status=continue
""")
    assert run(path).result == PASS


def test_a_client_that_cannot_start_fails_the_scenario(tmp_path):
    path = scenario(tmp_path, "negotiate.txt", "helo", "[helo]\ncommand=helo\nfqdn=x\n",
                    args1="arguments=--bogus-option")
    outcome = run(path)
    assert outcome.result == FAIL
    assert "couldn't run test client on port" in outcome.message


def test_large_body_reaches_the_first_child_as_two_frames(tmp_path):
    """§9 (outside the corpus): 114688 bytes → `B` frames of 65535 and 49153 bytes, one reply."""
    (tmp_path / "large.txt").write_bytes(b"B" * 114688 + b"\n")
    path = scenario(tmp_path, "end-of-header.txt", "large-body", f"""[large-body]
command=body
chunk_file={tmp_path / "large.txt"}
response=body
n_received=2
status=continue
chunks={"B" * 114688};;
""")
    outcome = run(path)
    assert outcome.result == PASS, outcome.message + outcome.diagnostics
