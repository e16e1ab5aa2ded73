"""Command-line overrides of configuration keys (config.md §13, cli.md §3).

Applied after the files of every load cycle: each sets its value and resets
the key's location, so `--show-config` prints `# default` for it.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

from milter_manager.config.model import Configuration


@dataclass
class Overrides:
    """Values from the command line; None = not given."""
    connection_spec: str | None = None            # -s, --connection-spec
    pid_file: str | None = None                   # --pid-file
    effective_user: str | None = None             # -u, --user, --user-id, --user-name
    effective_group: str | None = None            # -g, --group, --group-id, --group-name
    unix_socket_mode: int | None = None           # --unix-socket-mode (0 = not given)
    unix_socket_group: str | None = None          # --unix-socket-group
    n_workers: int | None = None                  # --n-workers
    event_loop_backend: str | None = None         # --event-loop-backend
    max_pending_finished_sessions: int | None = None
    packet_buffer_size: int | None = None         # --packet-buffer-size

    def is_empty(self) -> bool:
        return all(getattr(self, f.name) is None for f in fields(self))


def apply_overrides(config: Configuration, overrides: Overrides | None) -> None:
    if overrides is None:
        return
    o = overrides
    manager = config.manager
    if o.connection_spec is not None:
        manager.override("connection_spec", o.connection_spec)
    if o.pid_file is not None:
        manager.override("pid_file", o.pid_file)
    if o.effective_user is not None:
        config.security.override("effective_user", o.effective_user)
    if o.effective_group is not None:
        # [deviation] upstream misspells the key and keeps the file location.
        config.security.override("effective_group", o.effective_group)
    if o.unix_socket_mode:
        manager.override("unix_socket_mode", o.unix_socket_mode)
    if o.unix_socket_group is not None:
        manager.override("unix_socket_group", o.unix_socket_group)
    if o.n_workers is not None:
        manager.override("n_workers", o.n_workers)
    if o.event_loop_backend is not None and o.event_loop_backend != "default":
        manager.override("event_loop_backend", o.event_loop_backend)
    if o.max_pending_finished_sessions is not None:
        manager.override("max_pending_finished_sessions", o.max_pending_finished_sessions)
    if o.packet_buffer_size is not None:
        # [deviation] upstream never applies it (cli.md §1.2).
        manager.override("packet_buffer_size", o.packet_buffer_size)
