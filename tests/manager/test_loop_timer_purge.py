"""Cancelled timers and deadlines do not keep their owners alive until their
time (manager/loop.py): a finished session's two-hour MTA inactivity
deadline must not hold the whole session in memory for two hours."""

from __future__ import annotations

import gc
import weakref

import pytest

from milter_manager.manager.loop import EventLoop


@pytest.fixture
def loop():
    loop = EventLoop()
    yield loop
    loop.close()


class Owner:
    """Stands for a session: its deadline's callback is a bound method."""

    def __init__(self, loop: EventLoop) -> None:
        self.deadline = loop.deadline(self.expired)
        self.timer = loop.call_later(7200, self.expired)

    def expired(self) -> None:
        raise AssertionError("a cancelled deadline fired")


def test_cancelled_deadlines_and_timers_release_their_owners(loop):
    refs = []
    for _ in range(20000):
        owner = Owner(loop)
        owner.deadline.arm(7210)
        owner.deadline.cancel()
        owner.timer.cancel()
        refs.append(weakref.ref(owner))
        del owner
    gc.collect()
    alive = sum(ref() is not None for ref in refs)
    # Only what was pushed since the last compaction may still be held.
    assert alive < 2000, alive
    assert len(loop._timers) < 4000


def test_live_deadlines_survive_compaction_and_fire(loop):
    fired = []
    keep = loop.deadline(lambda: fired.append("keep"))
    keep.arm(0.05)
    later = loop.deadline(lambda: fired.append("later"))
    later.arm(0.01)
    later.arm(0.08)          # re-armed later: its early heap entry re-pushes
    rearmed = loop.deadline(lambda: fired.append("rearmed"))
    rearmed.arm(0.02)
    rearmed.cancel()
    for _ in range(5000):    # enough garbage to compact the heap several times
        d = loop.deadline(lambda: fired.append("garbage"))
        d.arm(60)
        d.cancel()
    rearmed.arm(0.03)        # armed again after its entry was dropped
    timer = loop.call_later(0.04, fired.append, "timer")
    assert timer is not None
    assert loop.run_until(lambda: len(fired) == 4, timeout=5)
    loop.run_once(max_wait=0.05)
    assert fired == ["rearmed", "timer", "keep", "later"]
