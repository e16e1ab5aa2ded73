"""`milter-test-server`: play the MTA against one milter and print the result.

tools.md §1. Parse the options (`test_server_options`), build the message
and the session plan, run one session (or `--threads` N at once) on the
manager's event loop (`test_server_session`), and print each session's
status block, or its error line, and with `--output-message` the result
message (`test_server_output`).

Exit status (§1.7): 0 when the tool connected to the milter (whatever the
status, timeouts included), 1 on an option error or when no connection
could be made; with `--threads`, 0 only if every session connected.
"""

from __future__ import annotations

import os
import signal
import sys

from milter_manager.manager.loop import EventLoop
from milter_manager.protocol.commands import Connect

from .test_server_goption import EarlyExit, OptionError
from .test_server_log import ToolLog, colour_capable_term
from .test_server_message import Message
from .test_server_options import PROGRAM, ServerOptions, parse_options, stage_macros
from .test_server_output import format_result
from .test_server_session import Plan, Result, Session


def original_message(o: ServerOptions) -> Message:
    """tools.md §1.4 step 3: `--header` ones, then the mail file's, then `From:` and
    `To:` (the envelope sender and the first recipient) unless a header of exactly
    that name is already there."""
    headers = list(o.headers) + list(o.file_headers)
    names = {name for name, _ in headers}
    if b"From" not in names:
        headers.append((b"From", o.sender))
    if b"To" not in names and o.recipients:
        headers.append((b"To", o.recipients[0]))
    return Message(o.sender, list(o.recipients), headers, b"".join(o.body_chunks))


def make_plan(o: ServerOptions) -> Plan:
    assert o.spec is not None
    family, port, address = o.connect_address
    return Plan(
        name=o.name, spec=o.spec, version=o.negotiate_version,
        connect=Connect(o.connect_host, family, port, address), helo=o.helo_fqdn,
        message=original_message(o), body_chunks=list(o.body_chunks), unknown=o.unknown,
        macros=lambda context, recipient: stage_macros(o, context, recipient),
        connection_timeout=o.connection_timeout, reading_timeout=o.reading_timeout,
        writing_timeout=o.writing_timeout, end_of_message_timeout=o.end_of_message_timeout)


def use_colour(o: ServerOptions, env: dict[str, str] | os._Environ, stdout_fd: int) -> bool:
    """tools.md §1.1 `--color`: yes/no; `auto` = the TERM test of cli.md §13.3.

    [deviation] with no `--color`, colour only when stdout is also a terminal
    (upstream colours piped output under a colour TERM, which breaks parsers).
    """
    if o.color == "yes":
        return True
    if o.color == "no":
        return False
    if o.color is None:
        try:
            if not os.isatty(stdout_fd):
                return False
        except OSError:
            return False
    return colour_capable_term(env)


def run(o: ServerOptions, log: ToolLog, out=None) -> int:
    """Run the session(s); print each result block when its session ends."""
    out = out if out is not None else sys.stdout.buffer
    colour = use_colour(o, os.environ, out.fileno() if hasattr(out, "fileno") else -1)
    plan = make_plan(o)
    loop = EventLoop()
    count = max(1, o.threads)
    results: list[Result] = []

    def done(result: Result) -> None:
        # §1.8 [deviation]: each block is written at once, in completion order.
        out.write(format_result(result, o.output_message, colour))
        out.flush()
        results.append(result)

    try:
        for _ in range(count):
            Session(loop, plan, log.manager_log, done).start()
        loop.run_until(lambda: len(results) == count)
        # Let the last quit frames leave before the process exits.
        loop.run_once(max_wait=0)
    finally:
        loop.close()
    return 0 if all(result.connected for result in results) else 1


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    signal.signal(signal.SIGPIPE, signal.SIG_IGN)   # a closed peer is an I/O error
    log = ToolLog(PROGRAM)
    try:
        options = parse_options(argv)
    except EarlyExit as done:
        sys.stdout.write(done.text)
        sys.stdout.flush()
        return 0
    except OptionError as error:
        # tools.md §1.1: the message alone on standard output, exit status 1.
        sys.stdout.write(error.text + "\n")
        sys.stdout.flush()
        return 1
    if options.verbose:
        # [deviation] tools.md §1.1: upstream's -v has no effect (set too late).
        log.set_level(1022)   # `all`
    try:
        return run(options, log)
    except KeyboardInterrupt:
        return 1


if __name__ == "__main__":
    sys.exit(main())
