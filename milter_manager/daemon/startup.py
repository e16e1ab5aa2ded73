"""The daemon's start-up sequence and run time (cli.md §4, §8, §16).

`Daemon(options).run()` goes through the steps of cli.md §4 in order and
returns the exit status. Failures before daemonizing are printed on stdout;
after it they are logged and handed to the waiting foreground process
(§5.2). The single process serves sessions itself; with `n_workers` > 0 it
becomes the master of `workers.WorkerPool`.
"""

from __future__ import annotations

import errno
import logging
import os
import resource
import signal
import sys
import time
from typing import Any

from milter_manager.config.errors import ConfigurationError
from milter_manager.config.loader import ConfigurationLoader, LoadOptions, data_dir
from milter_manager.manager import Manager, ManagerLog
from milter_manager.manager.loop import EventLoop, make_selector

from . import signals as sig
from .controller import Controller
from .daemonize import DaemonizeError, Readiness, daemonize
from .launcher import (
    UNPRIVILEGED_SWITCH,
    LauncherClient,
    LauncherStartError,
    start_launcher,
)
from .logger import ERROR, INFO, WARNING, DaemonLogger, open_log_file
from .pidfile import PidFileError, remove_pid_file, write_pid_file
from .privileges import PrivilegeError, drop_privileges
from .proctitle import set_process_name
from .sockets import Listening, open_listening
from .status import Counters, ReloadState, status_xml

DEFAULT_CONNECTION_SPEC = "unix:/run/milter-manager/milter-manager.sock"


class StartupError(Exception):
    """A fatal start-up failure: the message, exit status 1."""


class Daemon:
    """One `milter-manager` run, from the parsed options to the exit status."""

    def __init__(self, options: Any, env: Any = None) -> None:
        self.options = options
        self.env = os.environ if env is None else env
        self.logger = DaemonLogger(self.env)
        self.start_time = time.time()
        self.reload_state = ReloadState()
        self.readiness: Readiness | None = None
        self.loader: ConfigurationLoader | None = None
        self.config: Any = None
        self.listening: Listening | None = None
        self.controller_listening: Listening | None = None
        self.controller: Controller | None = None
        self.launcher: LauncherClient | None = None
        self.loop: EventLoop | None = None
        self.signals: sig.SignalPipe | None = None
        self.manager: Manager | None = None
        self.pool: Any = None                 # workers.WorkerPool in the master
        self.pid_file: str | None = None
        self.draining = False
        self.hard_signal: int | None = None
        self.worker_id: int | None = None
        self.backend = "glib"

    # --- messages ---------------------------------------------------------------
    def _fail(self, message: str) -> int:
        """A start-up failure (§4, §5.2, §16)."""
        if self.readiness is not None:
            self.logger.log(ERROR, message)
            self.readiness.failed(message)
        else:
            _print(message)
        return 1

    def _notice(self, message: str) -> None:
        """A non-fatal start-up message: stdout while attached, else the log."""
        if self.readiness is not None or self.loop is not None:
            self.logger.log(ERROR, message)
        else:
            _print(message)

    # --- step 2 and every reload ---------------------------------------------------
    def _log_baseline(self) -> tuple[int | None, str | None]:
        """cli.md §3: the log level and path before any file is read."""
        options = self.options
        if options.log_path_given:
            path = None if options.log_path == "-" else options.log_path
            self.logger.use_fd(path, options.log_fd if path is not None else None)
        else:
            path = self.env.get("MILTER_LOG_PATH") or None
            if path == "-":
                path = None
            if path is not None:
                try:
                    self.logger.use_fd(path, open_log_file(path))
                except OSError as error:
                    self.logger.log(WARNING, "[logger][path][set][warning] failed to set log "
                                             f"output path: <{path}>: {error.strerror}")
                    path = None
        level = options.log_level
        if level is None:
            from milter_manager.config import log_level
            try:
                level = log_level.parse_level(self.env.get("MILTER_LOG_LEVEL") or "", 0)
            except log_level.LogLevelError:
                level = 0            # the loader logs the warning (cli.md §3)
        self.logger.level = level
        return options.log_level, path

    def apply_log_settings(self, config: Any) -> None:
        """§13.4, §13.5: after every committed load cycle."""
        log = self.logger
        log.level = config.log.level
        try:
            log.set_path(config.log.path)
        except OSError as error:
            log.log(ERROR, f"failed to set log output path: <{config.log.path}>: "
                           f"{error.strerror}")
        facility = (self.env.get("MILTER_LOG_SYSLOG_FACILITY") or self.options.syslog_facility
                    or config.log.syslog_facility or "mail")
        # [deviation] --syslog stays on whatever log.use_syslog says.
        on = bool(self.options.syslog or config.log.use_syslog)
        try:
            log.set_syslog(on, facility)
        except ValueError as error:
            log.log(WARNING, f"[syslog-logger][facility][set][warning] {error}")
            log.set_syslog(on, "mail")
        if self.manager is not None:
            self.manager.log.mask = log.mask()

    def reload_from(self, source: str) -> str | None:
        """SIGHUP (`signal`) and the controller's `reload` (§8.2, §12.3): the
        error line, or None once the new configuration is committed."""
        assert self.loader is not None
        try:
            config = self.loader.reload()
        except ConfigurationError as error:
            line = str(error)
            self.logger.log(ERROR, f"[manager][reload][{source}][error] {line}")
            self.reload_state.last_reload = "error"
            self.reload_state.last_reload_error = line
            return line
        self.config = config
        self.apply_log_settings(config)
        if self.manager is not None:
            self.manager.reload(config)
        self.reload_state.last_reload = "success"
        self.reload_state.last_reload_error = None
        self.reload_state.loaded_time = time.time()
        self.logger.log(INFO, f"[manager][reload][{source}][success]")
        if self.pool is not None:
            self.pool.forward(signal.SIGHUP)
        return None

    # --- the controller's services -----------------------------------------------------
    def configuration_xml(self) -> str:
        from milter_manager.config.custom_xml import to_xml
        return to_xml(self.config)

    def custom_directories(self) -> list[str]:
        stock = os.path.realpath(data_dir())
        return [path for path in self.config.load_paths
                if os.path.realpath(path) != stock]

    def status_xml(self) -> str:
        if self.pool is not None:
            totals, workers = self.pool.totals()
        else:
            totals = Counters.of(self.manager.status()) if self.manager else Counters()
            workers = None
        return status_xml(start_time=self.start_time, reload=self.reload_state, totals=totals,
                          workers=workers, configuration=self.config)

    # --- start-up (§4) -------------------------------------------------------------
    def run(self) -> int:
        options = self.options
        level, path = self._log_baseline()
        for warning in options.warnings:
            self.logger.log(WARNING, warning)
        for argument in options.ignored:
            self.logger.log(WARNING, f"[manager][option][ignored] <{argument}>")
        # Step 2 (step 3, the non-root rule, is part of every load cycle).
        load = LoadOptions(config_dir=options.config_dir, overrides=options.overrides,
                           log_level=level, log_path=path or "-", log_path_given=True,
                           log=self.logger.loader_sink)
        if self.env.get(UNPRIVILEGED_SWITCH) == "1":
            load.uid = 0     # test only: keep privilege_mode as configured
        self.loader = ConfigurationLoader(load)
        try:
            config = self.loader.startup()
        except ConfigurationError as error:
            sys.stdout.flush()
            sys.stderr.write(f"{error}\n")
            sys.stderr.flush()
            return 1
        self.config = config
        self.apply_log_settings(config)
        manager = config.manager
        self.backend = manager.event_loop_backend
        if self.backend not in ("glib", "libev"):
            self.backend = "glib"
        set_process_name()
        # Step 5.
        if manager.max_file_descriptors > 0:
            self._set_file_limit(manager.max_file_descriptors)
        daemon_mode = options.daemon if options.daemon is not None else bool(manager.daemon)
        # Step 6.
        if config.security.privilege_mode:
            try:
                self.launcher = start_launcher(self.logger, detach=daemon_mode)
            except LauncherStartError as error:
                return self._fail(str(error))
        # Step 7.
        spec = manager.connection_spec or DEFAULT_CONNECTION_SPEC
        try:
            self.listening = open_listening(
                spec, mode=manager.unix_socket_mode, group=manager.unix_socket_group,
                remove_on_create=bool(manager.remove_unix_socket_on_create),
                remove_on_close=bool(manager.remove_unix_socket_on_close),
                tag="client", log=self.logger)
        except OSError as error:
            return self._fail(f"failed to listen: {error.strerror or error}")
        _preload()
        # Step 8.
        try:
            drop_privileges(config.security.effective_user, config.security.effective_group,
                            self.listening.path, self.logger)
        except PrivilegeError as error:
            self._remove_socket_file()
            return self._fail(f"failed to drop privilege: {error}")
        # Step 9.
        self._listen_controller()
        # Step 10.
        if daemon_mode:
            try:
                self.readiness = daemonize()
            except DaemonizeError as error:
                return self._fail(f"failed to daemonize: {error}")
        try:
            return self._serve(manager)
        except Exception as error:  # noqa: BLE001 - report it, never die silently
            import traceback
            self.logger.log(ERROR, "[manager][error] "
                            + "".join(traceback.format_exception(error)).rstrip())
            return self._fail(f"failed to start milter-manager process: {error}")

    def _serve(self, manager: Any) -> int:
        """Start-up steps 11-15."""
        # Step 11.
        self.loop = EventLoop(make_selector(self.backend))
        logging.getLogger("milter_manager").addHandler(self.logger.python_handler())
        logging.getLogger("milter_manager").propagate = False
        self.signals = sig.SignalPipe(self.loop, self.dispatch_signal)
        self.signals.install()
        # Step 12.
        pid_file = manager.pid_file
        if pid_file:
            try:
                write_pid_file(pid_file, os.getpid(), self.logger)
            except PidFileError as error:
                self._cleanup()
                return self._fail(f"failed to start milter-manager process: {error}")
            self.pid_file = pid_file
        if self.launcher is not None:
            self.launcher.watch_replies(self.loop, self.logger)
        if self.controller_listening is not None:
            self.controller = Controller(self.loop, self.controller_listening, self,
                                         self.logger)
        # Step 13.
        if manager.n_workers > 0:
            from .workers import WorkerPool
            self.pool = WorkerPool(self, manager.n_workers)
            self.pool.start()
            self.logger.log(INFO, f"[client][workers][run] <{manager.n_workers}>")
        else:
            self.manager = self.make_manager(self.loop)
        # Step 14.
        self.logger.log(INFO, f"[client][event-loop][{self.backend}]")
        if self.readiness is not None:
            self.readiness.ready()
            self.readiness = None
        if self.manager is not None:
            self.manager.run_forever()
        else:
            self.loop.run_forever()
        # Step 15.
        return self._finish()

    def make_manager(self, loop: EventLoop) -> Manager:
        assert self.listening is not None
        manager = Manager(self.config, loop=loop, launcher=self.launcher,
                          log=ManagerLog(self.logger.mask(), self.logger.sink),
                          privilege_mode=self.launcher is not None,
                          remove_unix_socket_on_create=False,
                          remove_unix_socket_on_close=False)
        manager.adopt_listener(self.listening.sock, self.listening.bound)
        return manager

    def _set_file_limit(self, limit: int) -> None:
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (limit, limit))
        except (OSError, ValueError) as error:
            # Python reports setrlimit's EPERM as a ValueError of its own words.
            strerror = getattr(error, "strerror", None) or os.strerror(errno.EPERM)
            self._notice(f"failed to set limit for RLIMIT_NOFILE: {limit} original soft limit: "
                         f"{soft} original hard limit: {hard} : {strerror}")

    def _listen_controller(self) -> None:
        controller = self.config.controller
        spec = controller.connection_spec
        if not spec:
            self.logger.log(INFO, "[controller][disabled] connection spec isn't specified")
            return
        try:
            self.controller_listening = open_listening(
                spec, mode=controller.unix_socket_mode, group=controller.unix_socket_group,
                remove_on_create=bool(controller.remove_unix_socket_on_create),
                remove_on_close=bool(controller.remove_unix_socket_on_close),
                tag="controller", log=self.logger)
        except OSError as error:
            self._notice(f"failed to listen controller socket: {error.strerror or error}")

    # --- signals (§8) --------------------------------------------------------------
    def dispatch_signal(self, signum: int) -> None:
        if signum in (signal.SIGTERM, signal.SIGINT):
            if not self.draining:
                self.shutdown()
            else:
                self.hard_stop(signum)
        elif signum == signal.SIGCHLD:
            self.reap()
        elif self.draining:
            return                     # HUP and USR1 during the drain are ignored
        elif signum == signal.SIGHUP:
            self.reload_from("signal")
        elif signum == signal.SIGUSR1:
            self.logger.reopen()
            if self.pool is not None:
                self.pool.forward(signal.SIGUSR1)

    def shutdown(self) -> None:
        """§8.1 first signal: stop accepting, let sessions (or workers) finish."""
        self.draining = True
        self.logger.log(INFO, "[manager][shutdown][start]")
        if self.controller is not None:
            self.controller.stop_listening()
        if self.pool is not None:
            if self.listening is not None:
                self.listening.sock.close()
            self.pool.terminate()
        elif self.manager is not None:
            self.manager.drain()

    def hard_stop(self, signum: int) -> None:
        """§8.1 second signal: close everything now and die by the signal."""
        self.hard_signal = signum
        if self.pool is not None:
            self.pool.kill()
        assert self.loop is not None
        self.loop.stop()

    def reap(self) -> None:
        if self.launcher is not None:
            try:
                pid, _ = os.waitpid(self.launcher.pid, os.WNOHANG)
            except ChildProcessError:
                pid = 0
            if pid:
                self.launcher.pid = -1
        if self.pool is not None:
            self.pool.reap()

    # --- step 15 ---------------------------------------------------------------------
    def _remove_socket_file(self) -> None:
        if self.listening is not None:
            self.listening.remove_file(self.logger)

    def _cleanup(self) -> None:
        if self.listening is not None:
            try:
                self.listening.sock.close()
            except OSError:
                pass
            self._remove_socket_file()
        if self.pid_file is not None:
            remove_pid_file(self.pid_file, self.logger)
            self.pid_file = None
        if self.controller is not None:
            self.controller.close()
        elif self.controller_listening is not None:
            self.controller_listening.sock.close()
        if self.controller_listening is not None:
            self.controller_listening.remove_file(self.logger)

    def _finish(self) -> int:
        self._cleanup()
        if self.hard_signal is not None:
            sig.die_by(self.hard_signal)
        self.logger.log(INFO, "[manager][shutdown][finish]")
        return 0


def _preload() -> None:
    """Import now what later steps need: after the privilege drop the
    interpreter's own library may not be readable any more (a Python
    installed under a private home directory)."""
    import json  # noqa: F401
    import syslog  # noqa: F401
    import traceback  # noqa: F401

    from milter_manager.config import custom_xml  # noqa: F401

    from . import controller, status, workers  # noqa: F401
    try:
        import setproctitle  # type: ignore[import-not-found]  # noqa: F401
    except ImportError:
        pass
    # Everything a session, a stopper or a reload may import lazily.
    import importlib
    import pkgutil

    import milter_manager
    for package in ("config", "manager", "protocol", "ruby"):
        path = [os.path.join(milter_manager.__path__[0], package)]
        for module in pkgutil.walk_packages(path, f"milter_manager.{package}."):
            if module.name.endswith("__main__") or module.name == TABLES_MODULE:
                continue
            try:
                importlib.import_module(module.name)
            except Exception:  # noqa: BLE001, S112 - only a warm-up; the real use reports
                continue


#: the parser's generated tables (5 MiB of literals): imported only when a
#: file has to be parsed, and dropped once the parser is made from them
TABLES_MODULE = "milter_manager.ruby._ruby_tables"


def _print(message: str) -> None:
    sys.stdout.flush()
    os.write(1, (message + "\n").encode("utf-8", "surrogateescape"))


def run_daemon(options: Any) -> int:
    return Daemon(options).run()
