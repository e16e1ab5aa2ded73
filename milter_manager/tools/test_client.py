"""`milter-test-client`: a milter that prints every command it receives (tools.md §2).

It accepts MTA connections, asks for every command with a reply, prints
each command and the macros of its stage on standard output and answers
`continue`. Start-up follows the daemon (cli.md §4): listen, drop
privileges, daemonize, signals, pid file, workers; the daemon's own parts
(`milter_manager.daemon`) do each step, and the milter option group is
the daemon's parser, so texts and checks are the same.
"""

from __future__ import annotations

import argparse
import collections
import os
import signal
import socket
import sys
import time
from typing import Any

from milter_manager import VERSION
from milter_manager.cli import options as cli_options
from milter_manager.config import log_level
from milter_manager.manager.connection import Stream
from milter_manager.manager.listener import Listener, ListenError
from milter_manager.manager.log import INFO, STATISTICS, WARNING
from milter_manager.manager.loop import EVENT_READ, EventLoop, make_selector
from milter_manager.protocol import flags
from milter_manager.protocol.errors import ProtocolError
from milter_manager.protocol.frames import COMMANDS, FrameReader
from milter_manager.protocol.macros import MESSAGE_CONTEXTS
from milter_manager.protocol.options import MAX_VERSION
from milter_manager.protocol.replies import Continue, NegotiateReply

from .test_server_goption import (
    NONE,
    REQUIRED,
    EarlyExit,
    Option,
    OptionError,
    help_block,
    parse,
    usage_ellipsis,
)
from .test_server_log import ToolLog

PROGRAM = "milter-test-client"
DEFAULT_SPEC = "inet:10025@[127.0.0.1]"
#: tools.md §2.2: the client asks for every command and answers each one.
REFUSED_STEPS = (flags.NO_EVENT_MASK | flags.NO_REPLY_MASK
                 | flags.ENVELOPE_RECIPIENT_REJECTED | flags.HEADER_VALUE_WITH_LEADING_SPACE)
#: The commands that set the stage whose macros are printed (tools.md §2.3).
STAGE_COMMANDS = set(b"CHMRTLNBE")
#: cli.md §9: a worker id that died more than 5 times in 10 s restarts after 1 s.
THROTTLE_DEATHS, THROTTLE_WINDOW, THROTTLE_DELAY = 5, 10.0, 1.0

HELP_OPTIONS = [("-h, --help", "Show help options"), ("--help-all", "Show all help options"),
                ("--help-milter", "Show milter help options")]
APPLICATION_OPTIONS = [("--no-report-request", "Do not print the commands received"),
                       ("--version", "Print the version and exit")]


# --- options (tools.md §2.1) -----------------------------------------------------------------

def help_text(which: str = "main") -> str:
    lines = ["Usage:", f"  {PROGRAM} [OPTION{usage_ellipsis()}]", ""]
    if which != "milter":
        lines += help_block("Help Options:", HELP_OPTIONS)
    if which in ("all", "milter"):
        lines += help_block("Milter Common Options", cli_options.MILTER_OPTIONS)
    if which != "milter":
        lines += help_block("Application Options:", APPLICATION_OPTIONS)
    return "\n".join(lines) + "\n"


def _milter_group(namespace: argparse.Namespace) -> list[Option]:
    """The daemon's "milter" option group: its own argparse actions convert and check
    each value (cli.md §1.2 texts), called in GOption order by our parser."""
    parser = cli_options.build_parser()
    wanted = {name for text, _ in cli_options.MILTER_OPTIONS
              for name in (part.split("=")[0] for part in text.split(", "))}
    table = []
    for action in parser._actions:
        names = [name for name in action.option_strings if name in wanted]
        if not names:
            continue
        long = next(name[2:] for name in names if name.startswith("--"))
        short = next((name[1:] for name in names if len(name) == 2), None)

        def handler(typed: str, value: str | None, action: argparse.Action = action) -> None:
            action(parser, namespace, value, typed)
        table.append(Option(long, short, NONE if action.nargs == 0 else REQUIRED, handler))
    return table


class ClientOptions:
    def __init__(self) -> None:
        self.report_request = True
        self.milter = cli_options.Options()


def parse_options(argv: list[str]) -> ClientOptions:
    """Raises OptionError (stdout, exit 1; an unknown option alone) or EarlyExit."""
    result = ClientOptions()

    def show_help(typed: str, value: str | None) -> None:
        raise EarlyExit(help_text({"--help-all": "all", "--help-milter": "milter"}
                                  .get(typed, "main")))

    def version(typed: str, value: str | None) -> None:
        raise EarlyExit(f"{VERSION}\n")   # the bare version (tools.md §2.1)

    def no_report(typed: str, value: str | None) -> None:
        result.report_request = False

    table = [Option("help", "h", NONE, show_help), Option("help-all", None, NONE, show_help),
             Option("help-milter", None, NONE, show_help),
             Option("no-report-request", None, NONE, no_report),
             Option("version", None, NONE, version)]
    table += _milter_group(argparse.Namespace(options=result.milter))
    # GOption always knows -? as help.
    table.append(Option(None, "?", NONE, lambda typed, value: show_help("--help", None)))
    parse(argv, table)
    return result


# --- one MTA connection (tools.md §2.2, §2.3) --------------------------------------------------

class ClientSession:
    """Prints what the MTA sends on one connection and answers `continue`."""

    def __init__(self, server: ClientServer, sock: socket.socket) -> None:
        self.server = server
        self.reader = FrameReader(COMMANDS)
        self.macros: dict[bytes, dict[bytes, bytes]] = {}
        self.stage: bytes | None = None
        self.done = False
        self.stream = Stream(server.loop, sock, self)

    def report(self, line: bytes, macros: bool = True) -> None:
        if not self.server.report_request:
            return
        text = line + b"\n"
        table = self.macros.get(self.stage) if macros and self.stage else None
        if table:
            # [deviation] tools.md §2.3: in the order received (upstream: hash order).
            text += b"macros:\n" + b"".join(b"  " + name + b"=" + value + b"\n"
                                            for name, value in table.items())
        write_stdout(text)

    def data_received(self, data: bytes) -> None:
        try:
            packets = self.reader.feed(data)
        except ProtocolError as error:
            for packet in error.packets:
                self.handle(packet)
            self.fail(str(error))
            return
        for packet in packets:
            if self.done:
                return
            self.handle(packet)

    def handle(self, packet: Any) -> None:
        code = packet.wire_code
        if code == b"O":
            steps = packet.steps & ~REFUSED_STEPS
            self.report(b"negotiate: version=<%d>, action=<%s>, step=<%s>" % (
                packet.version, flags.format_actions(packet.actions).encode(),
                flags.format_steps(packet.steps).encode()), macros=False)
            reply = NegotiateReply(min(MAX_VERSION, packet.version), packet.actions, steps)
            self.stream.write(reply.encode())
            return
        if code == b"D":
            self.macros[packet.context] = dict(packet.macros)
            return
        if code in (b"Q", b"K"):
            self.finish()
            return
        if code[0] in STAGE_COMMANDS:
            self.stage = code    # unknown and abort keep the previous stage (§2.3)
        self.report(describe(packet))
        if code == b"A":
            self.clear_message()
            return
        self.stream.write(Continue().encode())
        if code == b"E":
            self.clear_message()

    def clear_message(self) -> None:
        """protocol.md §5: the message's macros end with the message."""
        for context in MESSAGE_CONTEXTS:
            self.macros.pop(bytes((context,)), None)

    def fail(self, message: str) -> None:
        write_stdout(b"ERROR: " + message.encode("utf-8", "surrogateescape"))  # no newline
        self.finish()

    def eof_received(self) -> None:
        self.finish()

    def connection_lost(self, error: BaseException | None) -> None:
        if not self.done:
            self.fail(getattr(error, "strerror", None) or str(error))

    def finish(self) -> None:
        if self.done:
            return
        self.done = True
        self.stream.close_after_flush()
        self.report(b"finished", macros=False)
        self.server.session_finished(self)


def describe(packet: Any) -> bytes:
    """The line of tools.md §2.3 for one command."""
    nick = packet.nick
    if nick == "connect":
        return b"connect: host=<%s>, address=<%s>" % (
            packet.hostname, packet.address_text.encode("utf-8", "surrogateescape"))
    if nick == "helo":
        return b"helo: <" + packet.fqdn + b">"
    if nick in ("envelope-from", "envelope-recipient"):
        return nick.encode() + b": <" + packet.address + b">"
    if nick == "unknown":
        return b"unknown: <" + packet.command + b">"
    if nick == "header":
        return b"header: <" + packet.name + b": " + packet.value + b">"
    if nick == "body":
        return b"body: <" + packet.chunk + b">"
    if nick == "end-of-message" and packet.chunk:
        return b"end-of-message: <" + packet.chunk + b">"
    return nick.encode()      # data, end-of-header, end-of-message, abort


def write_stdout(data: bytes) -> None:
    view = memoryview(data)
    while view:
        try:
            view = view[os.write(1, view):]
        except InterruptedError:
            continue
        except OSError:
            return


# --- the server: accepting, statistics, shutdown ----------------------------------------------

class ClientServer:
    def __init__(self, loop: EventLoop, listening_sock: socket.socket, bound: Any,
                 log: ToolLog, report_request: bool, max_pending: int) -> None:
        self.loop = loop
        self.log = log
        self.report_request = report_request
        self.max_pending = max_pending
        self.listener = Listener(loop, listening_sock, bound, self.accepted)
        self.sessions: set[ClientSession] = set()
        self.total = 0
        self.pending = 0
        self.idle_scheduled = False
        self.draining = False

    def start(self) -> None:
        self.listener.start()

    def accepted(self, sock: socket.socket, address: Any) -> None:
        self.sessions.add(ClientSession(self, sock))

    def session_finished(self, session: ClientSession) -> None:
        """cli.md §14.2 `[sessions][finished] TOTAL(+N) PROCESSING`."""
        self.sessions.discard(session)
        self.total += 1
        self.pending += 1
        if 0 < self.max_pending <= self.pending:
            self.report_finished()
        elif not self.idle_scheduled:
            self.idle_scheduled = True
            self.loop.when_idle(self.report_finished)
        if self.draining and not self.sessions:
            self.loop.call_soon(self.loop.stop)

    def report_finished(self) -> None:
        self.idle_scheduled = False
        if self.pending:
            self.log.log(STATISTICS, f"[sessions][finished] {self.total}(+{self.pending}) "
                                     f"{len(self.sessions)}", "milter-client")
            self.pending = 0

    def drain(self) -> None:
        """Graceful shutdown (cli.md §8.1): stop accepting now, let sessions finish."""
        self.draining = True
        self.listener.close()
        if not self.sessions:
            self.loop.call_soon(self.loop.stop)

    def close(self) -> None:
        for session in list(self.sessions):
            session.stream.close()
        self.report_finished()


# --- start-up (cli.md §4 steps 7-15, as the daemon) ---------------------------------------------

class StartupError(Exception):
    """A start-up failure: the message is printed on standard output, exit status 1."""


def run(options: ClientOptions, log: ToolLog) -> int:
    from milter_manager.daemon.daemonize import DaemonizeError, daemonize
    from milter_manager.daemon.logger import syslog_facility
    from milter_manager.daemon.pidfile import (
        PidFileError,
        remove_pid_file,
        write_pid_file,
    )
    from milter_manager.daemon.privileges import PrivilegeError, drop_privileges
    from milter_manager.daemon.sockets import open_listening

    o = options.milter
    overrides = o.overrides
    if o.log_level is not None:
        log.set_level(log_level.effective_level(o.log_level))
    if o.log_fd is not None:
        log.use_fd(o.log_fd, o.log_path)
    if o.syslog:
        log.open_syslog(syslog_facility(o.syslog_facility))
    for warning in o.warnings:
        log.log(WARNING, warning, "milter-client")
    spec = overrides.connection_spec
    if spec is None:
        spec = os.environ.get("MILTER_DEFAULT_CONNECTION_SPEC") or DEFAULT_SPEC
        log.log(INFO, f"[client][connection-spec][default] <{spec}>", "milter-client")
    try:
        listening = open_listening(spec, mode=overrides.unix_socket_mode or 0o660,
                                   group=overrides.unix_socket_group, remove_on_create=True,
                                   remove_on_close=True, tag="client", log=log)
    except (ListenError, OSError) as error:
        # tools.md §2.1: the bare message (the daemon adds `failed to listen: `).
        write_stdout(f"{error.strerror or error}\n".encode("utf-8", "surrogateescape"))
        return 1
    readiness = None
    pid_file = overrides.pid_file
    try:
        try:
            drop_privileges(overrides.effective_user, overrides.effective_group,
                            listening.path, log)
        except PrivilegeError as error:
            raise StartupError(f"failed to drop privilege: {error}") from None
        if o.daemon:
            try:
                readiness = daemonize()
            except DaemonizeError as error:
                raise StartupError(f"failed to daemonize: {error}") from None
        if pid_file is not None:
            try:
                write_pid_file(pid_file, os.getpid(), log)
            except PidFileError as error:
                pid_file = None
                raise StartupError(f"failed to start {PROGRAM} process: {error}") from None
        service = Service(options, log, listening, readiness)
        return service.run(overrides.n_workers or 0)
    except StartupError as error:
        if readiness is not None:
            readiness.failed(str(error))
        else:
            write_stdout(f"{error}\n".encode("utf-8", "surrogateescape"))
        return 1
    finally:
        # (Workers and the foreground process of --daemon never come back here.)
        listening.remove_file(log)
        if pid_file is not None:
            remove_pid_file(pid_file, log)


class Service:
    """The serving part: one process, or a master and N workers (cli.md §9)."""

    def __init__(self, options: ClientOptions, log: ToolLog, listening: Any,
                 readiness: Any) -> None:
        self.options = options
        self.log = log
        self.listening = listening
        self.readiness = readiness
        self.backend = options.milter.overrides.event_loop_backend
        self.max_pending = options.milter.overrides.max_pending_finished_sessions or 0
        self.workers: dict[int, tuple[int, socket.socket]] = {}   # pid -> id, channel
        self.stopping = False
        self.master_pid = os.getpid()
        self.deaths: dict[int, collections.deque[float]] = {}

    def run(self, n_workers: int) -> int:
        from milter_manager.daemon.signals import SignalPipe
        if not n_workers:
            return self.serve(ready=True)
        import selectors
        # poll keeps no kernel state that a forked worker could change.
        self.loop = EventLoop(selectors.PollSelector())
        self.signals = SignalPipe(self.loop, self.master_signal)
        self.signals.install()
        for worker_id in range(1, n_workers + 1):
            self.spawn(worker_id)
        self.log.log(INFO, f"[client][workers][run] <{n_workers}>", "milter-client")
        self.ready()
        try:
            self.loop.run_forever()
        finally:
            self.signals.close()
            self.loop.close()
        return 0

    def ready(self) -> None:
        if self.readiness is not None:
            self.readiness.ready()

    def spawn(self, worker_id: int) -> None:
        # cli.md §9: a control channel per worker; the worker drains at its EOF
        # (the master is gone). The master never writes to it.
        master_end, worker_end = socket.socketpair()
        pid = os.fork()
        if pid:
            worker_end.close()
            self.workers[pid] = (worker_id, master_end)
            return
        status = 1
        try:
            master_end.close()
            for _, other in self.workers.values():
                other.close()
            self.signals.close()
            self.loop.close()
            if self.readiness is not None:
                self.readiness.close_in_child()
            self.log.pid = os.getpid()
            status = self.serve(ready=False, channel=worker_end)
        finally:
            os._exit(status)

    def master_signal(self, signum: int) -> None:
        if signum == signal.SIGCHLD:
            self.reap()
        elif signum in (signal.SIGTERM, signal.SIGINT):
            if self.stopping:   # a second signal: hard stop
                for pid in self.workers:
                    _kill(pid, signal.SIGKILL)
                self.hard_stop(signum)
            self.stopping = True
            self.listening.sock.close()
            for pid in self.workers:
                _kill(pid, signal.SIGTERM)
            if not self.workers:
                self.loop.stop()
        elif signum == signal.SIGUSR1:
            self.log.reopen()
            for pid in self.workers:
                _kill(pid, signal.SIGUSR1)

    def reap(self) -> None:
        while self.workers:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if not pid:
                return
            worker = self.workers.pop(pid, None)
            if worker is None:
                continue
            worker_id, channel = worker
            channel.close()
            if self.stopping:
                if not self.workers:
                    self.loop.stop()
                continue
            what = f"killed by signal {os.WTERMSIG(status)}" if os.WIFSIGNALED(status) \
                else f"exited with {os.waitstatus_to_exitcode(status)}"
            self.log.log(WARNING, f"[client][worker][exit] <{worker_id}>: <{pid}>: {what}",
                         "milter-client")
            self.respawn(worker_id)

    def respawn(self, worker_id: int) -> None:
        """Replace a dead worker; throttled like the daemon's (cli.md §9)."""
        now = time.monotonic()
        deaths = self.deaths.setdefault(worker_id, collections.deque())
        deaths.append(now)
        while deaths and deaths[0] < now - THROTTLE_WINDOW:
            deaths.popleft()
        if len(deaths) <= THROTTLE_DEATHS:
            self.spawn(worker_id)
            return
        self.log.log(WARNING, f"[client][worker][restart][throttle] <{worker_id}>",
                     "milter-client")

        def later() -> None:
            if not self.stopping:
                self.spawn(worker_id)
        self.loop.call_later(THROTTLE_DELAY, later)

    def serve(self, ready: bool, channel: socket.socket | None = None) -> int:
        """Accept and serve sessions until a graceful shutdown has drained them."""
        from milter_manager.daemon.signals import SignalPipe
        loop = EventLoop(make_selector(self.backend))
        server = ClientServer(loop, self.listening.sock, self.listening.bound, self.log,
                              self.options.report_request, self.max_pending)
        draining = []

        def dispatch(signum: int) -> None:
            if signum in (signal.SIGTERM, signal.SIGINT):
                if draining:
                    server.close()
                    self.hard_stop(signum)
                draining.append(signum)
                server.drain()
            elif signum == signal.SIGUSR1 and ready:
                self.log.reopen()
        signals = SignalPipe(loop, dispatch)
        signals.install()
        if channel is not None:
            loop.watch(channel, EVENT_READ, _MasterGone(channel, server))
        server.start()
        if ready:
            self.ready()
        try:
            loop.run_forever()
        finally:
            server.close()
            signals.close()
            loop.close()
        return 0

    def hard_stop(self, signum: int) -> None:
        """cli.md §8.1: a second signal; clean up, then die by it."""
        from milter_manager.daemon.signals import die_by
        if os.getpid() == self.master_pid:
            self.listening.remove_file(self.log)
            pid_file = self.options.milter.overrides.pid_file
            if pid_file is not None:
                try:
                    os.unlink(pid_file)
                except OSError:
                    pass
        die_by(signum)


class _MasterGone:
    """A worker's end of its control channel: EOF means the master has gone."""

    def __init__(self, channel: socket.socket, server: ClientServer) -> None:
        self.channel = channel
        self.server = server

    def handle_read(self) -> None:
        try:
            data = self.channel.recv(4096)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data = b""
        if not data:
            self.server.loop.unwatch(self.channel)
            self.server.drain()

    def handle_write(self) -> None:  # pragma: no cover - never registered for write
        pass


def _kill(pid: int, signum: int) -> None:
    try:
        os.kill(pid, signum)
    except ProcessLookupError:
        pass


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    log = ToolLog(PROGRAM)
    try:
        options = parse_options(argv)
    except EarlyExit as done:
        write_stdout(done.text.encode())
        return 0
    except OptionError as error:
        # tools.md §2.1: the message alone on standard output (no help text).
        write_stdout(f"{error.text}\n".encode("utf-8", "surrogateescape"))
        return 1
    return run(options, log)


if __name__ == "__main__":
    sys.exit(main())
