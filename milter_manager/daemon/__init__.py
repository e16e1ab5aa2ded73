"""The `milter-manager` daemon as a program (cli.md §4–§16).

Everything process-level lives here, kept apart from the manager core
(`milter_manager.manager`, which serves sessions on one event loop) and from
the thin command line (`milter_manager.cli`):

* `startup` — the start-up sequence of cli.md §4 and the run-time glue
  (reload, shutdown, clean-up) for the single process and the master;
* `logger` — log destinations, items, colour, syslog, reopen (§13);
* `sockets` — listening sockets with mode, group and owner (§6, §12.1);
* `privileges` — the privilege drop (§7);
* `daemonize` — double fork and the readiness pipe (§5.1, §5.2);
* `pidfile` — the pid file (§5.3);
* `signals` — signal handlers that only write to a self-pipe (§8);
* `workers` — pre-forked workers and the master's duties (§9);
* `launcher` — the process launcher (§11), a separate process;
* `controller` and `status` — the controller socket (§12);
* `proctitle` — process names (§15).
"""
