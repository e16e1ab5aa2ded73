"""Running applicable-condition stoppers off the event loop (manager.md §12).

Stoppers are configuration code and may block (a DNSBL lookup), so they run
on a small pool of worker threads; the result comes back to the loop with
`call_soon_threadsafe` and only the session that asked waits. A child whose
milter has no stopper for a stage never gets here.

A stopper is a callable `stopper(context, *args)`; the configuration layer
hands Ruby procs over as such callables. A stopper whose `inline` attribute
is true has been proven (by the interpreter's AST check) to call nothing that
can block; when every stopper of a stage is inline they run on the loop
thread, saving two thread hops (the spec README allows it).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from .log import ManagerLog
from .loop import EventLoop


def ruby_truthy(value: Any) -> bool:
    """Only nil and false are false in Ruby."""
    return value is not None and value is not False


def describe_exception(error: BaseException) -> str:
    """config.md §10.3: `CLASS: MESSAGE:` then one line per frame."""
    name = getattr(error, "ruby_class_name", None) or type(error).__name__
    message = getattr(error, "ruby_message", None) or str(error)
    lines = [f"{name}: {message}:"]
    for frame in getattr(error, "ruby_backtrace", None) or ():
        lines.append(str(frame))
    return "\n".join(lines)


class StopperRunner:
    """Evaluates a child's stoppers for a stage and reports `stopped` on the loop."""

    def __init__(self, loop: EventLoop, log: ManagerLog, max_workers: int = 8) -> None:
        self.loop = loop
        self.log = log
        self._max_workers = max_workers
        self._executor: ThreadPoolExecutor | None = None
        self._lock = threading.Lock()

    def _pool(self) -> ThreadPoolExecutor:
        executor = self._executor
        if executor is None:
            with self._lock:
                if self._executor is None:
                    self._executor = ThreadPoolExecutor(
                        self._max_workers, thread_name_prefix="milter-manager-stopper")
                executor = self._executor
        return executor

    def run(self, child: Any, stage: str, context: Any, args: tuple,
            done: Callable[[bool], Any]) -> bool | None:
        """Evaluate `child`'s stoppers for `stage`.

        Returns the result at once (True: stopped) when the stoppers may run
        on the loop; otherwise returns None and calls `done(stopped)` on the
        loop thread later.
        """
        settings = child.children.settings
        if settings.interpreted:
            from milter_manager.config import runtime
            configuration = settings.configuration
            egg = child.egg.source
            # The interpreter's AST check (spec README): stoppers proven to
            # call nothing that can block run inline.
            inline = getattr(runtime, "runs_inline", None)
            if inline is not None and inline(configuration, egg, stage):
                return bool(runtime.should_stop(configuration, egg, stage, context, *args))

            def evaluate() -> bool:
                return runtime.should_stop(configuration, egg, stage, context, *args)
        else:
            stoppers = child.stoppers[stage]
            if all(getattr(stopper, "inline", False) for _, stopper in stoppers):
                return self.evaluate(stoppers, context, args)

            def evaluate() -> bool:
                return self.evaluate(stoppers, context, args)
        loop = self.loop

        def work() -> None:
            try:
                stopped = evaluate()
            except Exception as error:  # noqa: BLE001 - never lose the session's answer
                self.log.error(describe_exception(error))
                stopped = False
            loop.call_soon_threadsafe(done, stopped)
        self._pool().submit(work)
        return None

    def evaluate(self, stoppers: list[tuple[Any, Any]], context: Any, args: tuple) -> bool:
        """config.md §10.3: in order; the first truthy result stops; an
        exception is logged and counts as false."""
        for _condition, stopper in stoppers:
            try:
                if ruby_truthy(stopper(context, *args)):
                    return True
            except Exception as error:  # noqa: BLE001 - configuration code
                self.log.error(describe_exception(error))
        return False

    def submit(self, function: Callable[[], Any]) -> None:
        """Run other configuration code (hooks, connection checkers) off-loop."""
        self._pool().submit(function)

    def shutdown(self) -> None:
        executor = self._executor
        self._executor = None
        if executor is not None:
            executor.shutdown(wait=False, cancel_futures=True)
