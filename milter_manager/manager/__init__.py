"""The manager: one milter towards the MTA, an MTA towards each child.

Public entry point::

    from milter_manager.manager import Manager

    manager = Manager(configuration, "inet:10025@[127.0.0.1]",
                      retry_connect_time=5.0, launcher=None, log=None)
    manager.start()            # bind and listen (raises ListenError)
    manager.address            # the bound spec, e.g. "inet:34567@[127.0.0.1]"
    manager.run_forever()      # run the event loop in this thread, or
    manager.start_in_thread()  # run it on a daemon thread (the harness's mode)
    manager.stop()             # hard stop, thread-safe
    manager.drain(callback)    # graceful stop on the loop thread (SIGTERM)
    manager.reload(conf)       # new sessions use `conf` (SIGHUP)

`configuration` is `milter_manager.config`'s `Configuration` (or any object
with the same attribute names: `manager.chunk_size`, `eggs[i].name`, …);
`log` is a `ManagerLog` (level mask + sink: the daemon installs its own sink
for stdout/file/syslog). Modules: `loop` (selectors loop, timers, thread-safe
wakeup), `connection` (buffered non-blocking streams), `listener` (spec forms,
listening sockets), `leader` (one MTA session), `children` and `chain` (fan-out
and merge), `child` (one child connection), `headers` (header list and diff),
`stoppers` (applicable conditions off-loop), `context` (the stopper context),
`server` (the `Manager`), `log` (the logging hook and statistics helpers).
"""

from .listener import ListenError
from .log import ManagerLog
from .server import Manager, encode_launch_request

__all__ = ["ListenError", "Manager", "ManagerLog", "encode_launch_request"]
