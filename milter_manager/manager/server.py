"""The `Manager`: listener, sessions, limits, maintenance and statistics.

`Manager` accepts MTA connections on one listening socket and runs a
`Leader` per connection on a single event loop (manager.md §2, §14, §15;
cli.md §6, §14). It is usable in-process (the scenario harness runs it in a
thread) and from the daemon, which adds privileges, signals, workers,
logging destinations and the controller around it.
"""

from __future__ import annotations

import errno
import os
import socket
import struct
import threading
from collections.abc import Callable
from typing import Any

from .context import ConnectionCheckContext
from .leader import Leader
from .listener import Listener, listen_socket
from .log import DEBUG, INFO, STATISTICS, ManagerLog, TagCounter
from .loop import EventLoop, make_selector
from .settings import EggSettings, ManagerSettings
from .stoppers import StopperRunner, describe_exception, ruby_truthy

#: manager.md §9.3: the pause before the one connection retry.
RETRY_CONNECT_TIME = 5.0
#: manager.md §14: sessions checked per interval.
CHECKS_PER_INTERVAL = 30


def encode_launch_request(command_line: str, user_name: str | None) -> bytes:
    """cli.md §11.2: `launch\\0COMMAND_LINE\\0[USER_NAME]`, framed."""
    payload = b"launch\0" + command_line.encode("utf-8", "surrogateescape") + b"\0"
    if user_name is not None:
        payload += user_name.encode("utf-8", "surrogateescape")
    return struct.pack(">I", len(payload)) + payload


def command_line_of(egg: EggSettings) -> str:
    """cli.md §11.2 COMMAND_LINE: command, then " " + options when set."""
    if egg.command_options:
        return f"{egg.command} {egg.command_options}"
    return egg.command or ""


class Manager:
    """Accepts MTA connections and serves each with a `Leader`.

    `configuration` is the configuration layer's object (or anything with
    the same attributes, or a `ManagerSettings`); `listen_spec` overrides
    `manager.connection_spec`. `launcher` (privilege mode) is a callable
    `launcher(command_line, user_name)` or an object with that `launch`
    method; `privilege_mode` None means "configured and running as root".
    """

    def __init__(self, configuration: Any, listen_spec: str | None = None, *,
                 retry_connect_time: float = RETRY_CONNECT_TIME,
                 launcher: Any = None, log: ManagerLog | None = None,
                 privilege_mode: bool | None = None, loop: EventLoop | None = None,
                 event_loop_backend: str | None = None,
                 unix_socket_mode: int | None = None,
                 remove_unix_socket_on_create: bool | None = None,
                 remove_unix_socket_on_close: bool | None = None) -> None:
        self.configuration = configuration
        self.settings = ManagerSettings.of(configuration)
        manager_section = getattr(configuration, "manager", None)
        self.listen_spec = listen_spec or getattr(manager_section, "connection_spec", None)
        self.retry_connect_time = retry_connect_time
        self.launcher = launcher
        self.log = log if log is not None else ManagerLog()
        if privilege_mode is None:
            privilege_mode = self.settings.privilege_mode and os.geteuid() == 0
        self.privilege_mode = privilege_mode
        if loop is None:
            backend = event_loop_backend or getattr(manager_section, "event_loop_backend", None)
            loop = EventLoop(make_selector(backend))
        self.loop = loop
        self.unix_socket_mode = unix_socket_mode if unix_socket_mode is not None else \
            getattr(manager_section, "unix_socket_mode", None)
        self.remove_unix_socket_on_create = remove_unix_socket_on_create \
            if remove_unix_socket_on_create is not None else \
            getattr(manager_section, "remove_unix_socket_on_create", True)
        self.remove_unix_socket_on_close = remove_unix_socket_on_close \
            if remove_unix_socket_on_close is not None else \
            getattr(manager_section, "remove_unix_socket_on_close", True)
        self.tags = TagCounter()
        self.stoppers = StopperRunner(self.loop, self.log)
        self.listener: Listener | None = None
        self.sessions: set[Leader] = set()
        self.thread: threading.Thread | None = None
        self.draining = False
        self.on_drained: Callable[[], Any] | None = None
        #: called after each `[sessions][finished]` line (the daemon's workers
        #: send their counters to the master then, cli.md §12.4)
        self.on_sessions_finished: Callable[[], Any] | None = None
        # Counters for the controller's get-status (cli.md §12.4).
        self.n_processed = 0
        self.results: dict[str, int] = {}
        self.milter_counts: dict[str, list[int]] = {}
        self._pending_finished = 0
        self._idle_scheduled = False
        self._suspend_count = 0
        self._suspended = False
        self._check_timer: Any = None
        self._check_cursor = 0

    # -- configuration ---------------------------------------------------------
    def reload(self, configuration: Any) -> None:
        """New sessions use `configuration`; sessions in progress keep theirs
        (cli.md §8.2). Thread-safe."""
        def apply() -> None:
            self.configuration = configuration
            self.settings = ManagerSettings.of(configuration)
            self._schedule_connection_check()
        if self.loop.running and not self.loop.in_loop_thread():
            self.loop.call_soon_threadsafe(apply)
        else:
            apply()

    # -- lifecycle ---------------------------------------------------------------
    def start(self) -> None:
        """Bind and listen (raises `ListenError` with cli.md §6's text)."""
        sock, bound = listen_socket(self.listen_spec,
                                    remove_unix_socket_on_create=bool(
                                        self.remove_unix_socket_on_create),
                                    unix_socket_mode=self.unix_socket_mode)
        self.adopt_listener(sock, bound, announce=True)

    def adopt_listener(self, sock: socket.socket, bound: Any, announce: bool = False) -> None:
        """Serve on a socket that is already listening: the daemon binds in
        start-up step 7 (cli.md §4), before the privilege drop, and each
        worker accepts on the socket it inherited (cli.md §9)."""
        sock.setblocking(False)
        self.listener = Listener(self.loop, sock, bound, self._accepted, self._accept_failed)
        self.listener.gate = self._may_accept
        self.listener.start()
        if announce:
            self.log.info(f"[client][listen][start] {self.listener.spec}")
        self._schedule_connection_check()
        self._run_event_loop_created_hooks()

    @property
    def address(self) -> str | None:
        """The bound address in spec form (`inet:PORT@[ADDR]`, `unix:PATH`)."""
        return self.listener.spec if self.listener is not None else None

    @property
    def port(self) -> int | None:
        return self.listener.port if self.listener is not None else None

    def run_forever(self) -> None:
        """Run the event loop in this thread until `stop()`."""
        try:
            self.loop.run_forever()
        finally:
            self._close_all()

    def start_in_thread(self) -> threading.Thread:
        """`start()` then run the loop on a daemon thread (the harness's mode)."""
        if self.listener is None:
            self.start()
        thread = threading.Thread(target=self.run_forever, name="milter-manager-loop",
                                  daemon=True)
        self.thread = thread
        thread.start()
        return thread

    def stop(self, timeout: float | None = 5.0) -> None:
        """Hard stop: close every connection without replying; thread-safe.
        Joins the loop thread when `start_in_thread` started it."""
        self.loop.stop()
        thread = self.thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)
            self.thread = None
            self.loop.close()

    def drain(self, on_drained: Callable[[], Any] | None = None) -> None:
        """Graceful shutdown (cli.md §8.1): close the listening socket now,
        let sessions finish, then leave the loop. Call on the loop thread."""
        self.draining = True
        self.on_drained = on_drained
        if self.listener is not None:
            self.listener.close()
        if not self.sessions:
            self._drained()

    def _drained(self) -> None:
        callback = self.on_drained
        self.on_drained = None
        if callback is not None:
            callback()
        self.loop.stop()

    def _close_all(self) -> None:
        for session in list(self.sessions):
            session.close()
        if self.listener is not None:
            self.listener.close(remove_unix_socket=bool(self.remove_unix_socket_on_close))
            self.listener = None
        if self._check_timer is not None:
            self._check_timer.cancel()
        self.stoppers.shutdown()
        self.loop.flush_dirty()

    # -- accepting (manager.md §15) -----------------------------------------------
    def n_processing_sessions(self) -> int:
        return len(self.sessions)

    def _may_accept(self) -> bool:
        limit = self.settings.max_connections
        if limit > 0 and len(self.sessions) >= limit:
            self._suspend_count += 1
            count = self._suspend_count
            wait = self.settings.suspend_time_on_unacceptable
            self.log.message(f"[client][accept][suspend] too many processing connection: "
                             f"{len(self.sessions)}, max: {limit}; suspend accepting "
                             f"connection in {wait:g} seconds: #{count}")
            # [deviation] M15: only accepting pauses; the loop keeps serving.
            self._suspend(wait, f"[client][accept][resume] resume accepting connection: #{count}")
            return False
        return True

    def _suspend(self, seconds: float, resume_message: str) -> None:
        if self.listener is None or self._suspended:
            return
        self._suspended = True
        self.listener.pause()

        def resume() -> None:
            self._suspended = False
            self.log.message(resume_message)
            if self.listener is not None and not self.draining:
                self.listener.start()
        self.loop.call_later(seconds, resume)

    def _accept_failed(self, error: OSError) -> None:
        if error.errno in (errno.EMFILE, errno.ENFILE):
            wait = self.settings.suspend_time_on_unacceptable
            self.log.message(f"[client][accept][suspend] too many file is opened. "
                             f"suspend accepting connection in {wait:g} seconds")
            self._suspend(wait, "[client][accept][resume] resume accepting connection.")
        else:
            self.log.error(f"[client][error][accept] {error.strerror or error}")

    def _accepted(self, sock: socket.socket, peer: Any) -> None:
        if sock.family in (socket.AF_INET, socket.AF_INET6):
            try:
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            except OSError:
                pass
        tag = self.tags.next()
        try:
            session = Leader(self, sock, peer, self.settings, tag)
        except Exception as error:  # noqa: BLE001 - never let one session kill the loop
            self.log.error(f"[{tag}] [client][error] {error}")
            sock.close()
            return
        self.sessions.add(session)
        if self.log.mask & DEBUG:
            self.log.debug(f"[{tag}] [client][accept]")

    # -- finished sessions, maintenance (manager.md §15, cli.md §14) -----------------
    def session_finished(self, session: Leader) -> None:
        if session not in self.sessions:
            return
        self.sessions.discard(session)
        self.n_processed += 1
        status = "pass" if session.final_status.is_pass else session.final_status.nick
        self.results[status] = self.results.get(status, 0) + 1
        self._pending_finished += 1
        limit = self.settings.max_pending_finished_sessions
        if limit > 0 and self._pending_finished > limit:
            self._process_finished()
        elif not self._idle_scheduled:
            self._idle_scheduled = True
            self.loop.when_idle(self._process_finished)
        if self.draining and not self.sessions:
            self.loop.call_soon(self._drained)

    def _process_finished(self) -> None:
        self._idle_scheduled = False
        n = self._pending_finished
        if n == 0:
            return
        self._pending_finished = 0
        if self.log.mask & STATISTICS:
            self.log.statistics(f"[sessions][finished] {self.n_processed}(+{n}) "
                                f"{len(self.sessions)}")
        if self.on_sessions_finished is not None:
            # cli.md §12.4: a worker reports its counters after this line.
            self.on_sessions_finished()
        interval = self.settings.maintenance_interval
        crossed = interval > 0 and (self.n_processed // interval) != ((self.n_processed - n) // interval)
        if not self.sessions or crossed:
            self._maintain()

    def _maintain(self) -> None:
        hooks = list(getattr(self.configuration, "maintained_hooks", None) or ())
        if not hooks:
            return
        if self.settings.interpreted:
            from milter_manager.config import runtime
            configuration = self.configuration
            self.stoppers.submit(lambda: runtime.run_maintained_hooks(configuration))
            return

        def run() -> None:
            for hook in hooks:
                try:
                    hook()
                except Exception as error:  # noqa: BLE001 - configuration code
                    self.log.error(describe_exception(error))
        self.stoppers.submit(run)

    def milter_ended(self, name: str, failed: bool) -> None:
        counts = self.milter_counts.setdefault(name, [0, 0])
        counts[0] += 1
        if failed:
            counts[1] += 1

    # -- privilege mode (manager.md §9.3) -----------------------------------------------
    def can_launch(self, egg: EggSettings) -> bool:
        return bool(self.privilege_mode and egg.command and self.launcher is not None)

    def launch(self, egg: EggSettings) -> None:
        launcher = self.launcher
        command_line = command_line_of(egg)
        if self.log.mask & INFO:
            self.log.info(f"[launcher][request] {command_line}")
        try:
            if hasattr(launcher, "launch"):
                launcher.launch(command_line, egg.user_name)
            else:
                launcher(command_line, egg.user_name)
        except Exception as error:  # noqa: BLE001 - replies are ignored anyway
            self.log.error(f"[launcher][error] {error}")

    # -- connection checker (manager.md §14) -------------------------------------------
    def _schedule_connection_check(self) -> None:
        if self._check_timer is not None:
            self._check_timer.cancel()
            self._check_timer = None
        interval = self.settings.connection_check_interval
        if interval > 0 and self.listener is not None:
            self._check_timer = self.loop.call_later(interval, self._check_connections)

    def _check_connections(self) -> None:
        self._check_timer = None
        checkers = list((getattr(self.configuration, "connection_checkers", None) or {}).values())
        if checkers:
            sessions = [s for s in self.sessions
                        if s.negotiated and s.pending is not None
                        and s.children.waiting_on_children()]
            if sessions:
                start = self._check_cursor % len(sessions)
                chosen = (sessions[start:] + sessions[:start])[:CHECKS_PER_INTERVAL]
                self._check_cursor = start + len(chosen)
                for session in chosen:
                    self._check_session(session, checkers)
        self._schedule_connection_check()

    def _check_session(self, session: Leader, checkers: list[Any]) -> None:
        context = ConnectionCheckContext(session.children)
        status = self.settings.fallback_status_at_disconnect
        if self.settings.interpreted:
            from milter_manager.config import runtime
            configuration = self.configuration

            def check() -> None:
                if not runtime.is_connected(configuration, context):
                    self.loop.call_soon_threadsafe(session.disconnect, status)
            self.stoppers.submit(check)
            return

        def run() -> None:
            gone = False
            for checker in checkers:
                try:
                    if not ruby_truthy(checker(context)):
                        gone = True
                        break
                except Exception as error:  # noqa: BLE001 - counts as connected
                    self.log.error(describe_exception(error))
            if gone:
                self.loop.call_soon_threadsafe(session.disconnect, status)
        self.stoppers.submit(run)

    # -- hooks -----------------------------------------------------------------------------
    def _run_event_loop_created_hooks(self) -> None:
        hooks = list(getattr(self.configuration, "event_loop_created_hooks", None) or ())
        if not hooks:
            return
        facade = LoopFacade(self)
        if self.settings.interpreted:
            from milter_manager.config import runtime
            runtime.run_event_loop_created_hooks(
                self.configuration, runtime.EventLoopHandle(facade.add_timeout, facade.add_idle))
            return
        for hook in hooks:
            try:
                hook(facade)
            except Exception as error:  # noqa: BLE001 - configuration code
                self.log.error(describe_exception(error))

    def status(self) -> dict[str, Any]:
        """Counters for the controller (cli.md §12.4)."""
        return {"processing": len(self.sessions), "processed": self.n_processed,
                "results": dict(self.results),
                "milters": {k: list(v) for k, v in self.milter_counts.items()}}


class LoopFacade:
    """The `loop` given to `manager.event_loop_created` hooks (config.md §8.2):
    `add_timeout(seconds, callable)` re-runs while it returns a truthy value;
    `add_idle(callable)` likewise whenever the loop is idle."""

    def __init__(self, manager: Manager) -> None:
        self._manager = manager

    def add_timeout(self, seconds: float, callback: Callable[[], Any]) -> None:
        loop = self._manager.loop

        def fire() -> None:
            try:
                again = ruby_truthy(callback())
            except Exception as error:  # noqa: BLE001 - configuration code
                self._manager.log.error(describe_exception(error))
                again = False
            if again:
                loop.call_later(seconds, fire)
        loop.call_later(seconds, fire)

    def add_idle(self, callback: Callable[[], Any]) -> None:
        loop = self._manager.loop

        def fire() -> None:
            try:
                again = ruby_truthy(callback())
            except Exception as error:  # noqa: BLE001 - configuration code
                self._manager.log.error(describe_exception(error))
                again = False
            if again:
                loop.when_idle(fire)
        loop.when_idle(fire)

