"""Thread, Thread::Queue, Mutex (`ruby-subset.md` §3.7, §8.5).

A Ruby Thread is a daemon Python thread running the block under the
interpreter lock with its own step budget. `kill` marks the thread: its
interpreted code stops at the next step (ensure clauses run), and `join`
returns at once even while a native call of that thread is still blocked
(its result is then discarded)."""

from __future__ import annotations

import queue as pyqueue
import threading
from typing import Any

from ..errors import ControlFlow, RubyError, ThreadKilled
from ..native import Registry, define_native
from ..objects import RArray, RObject, RString

reg = Registry()
TH = "Thread"
Q = "Thread::Queue"
MX = "Thread::Mutex"

# Stack for interpreter threads: deep Ruby recursion needs more than the default.
THREAD_STACK = 64 * 1024 * 1024


class ThreadPayload:
    def __init__(self) -> None:
        self.done = threading.Event()
        self.value: Any = None
        self.error: RubyError | None = None
        self.killed = False
        self.ts: Any = None
        self.locals: dict = {}
        self.name: Any = None
        self.main = False
        self.report = True


def current_thread(interp: Any, ts: Any) -> RObject:
    if ts.thread is None:
        p = ThreadPayload()
        p.main = True
        p.ts = ts
        ts.thread = RObject(interp.Object.consts["Thread"], p)
    return ts.thread


def start_thread(f: Any, args: list, blk: Any) -> RObject:
    interp = f.interp
    if blk is None:
        raise interp.error("ThreadError", "must be called with a block")
    payload = ThreadPayload()
    obj = RObject(interp.Object.consts["Thread"], payload)
    ready = threading.Event()

    def body() -> None:
        ts = interp.thread_state()
        ts.thread = obj
        payload.ts = ts
        ready.set()
        try:
            payload.value = interp._host_call(
                lambda root: blk.code.call_as(blk, root, list(args), None, None, blk.self_,
                                              new_home=True), None)
        except ThreadKilled:
            pass
        except RubyError as e:
            if not payload.killed:
                payload.error = e
                if payload.report:
                    interp.log("error", f"[thread][error] {e.class_name}: {e.message}")
        except ControlFlow:
            pass
        finally:
            with interp.thread_count_lock:
                interp.threads_alive -= 1
            payload.done.set()
    with interp.thread_count_lock:
        interp.threads_alive += 1
    old = threading.stack_size()
    try:
        threading.stack_size(THREAD_STACK)
        t = threading.Thread(target=body, daemon=True, name="ruby-thread")
    finally:
        threading.stack_size(old)
    t.start()
    ready.wait()
    return obj


def _payload(f: Any, self: RObject) -> ThreadPayload:
    return self.payload


@reg.setup
def _setup(interp: Any) -> None:
    thread = interp.new_class("Thread", interp.Object)
    interp.Object.consts["Thread"] = thread
    queue = interp.new_class("Thread::Queue", interp.Object, thread)
    thread.consts["Queue"] = queue
    interp.Object.consts["Queue"] = queue
    sized = interp.new_class("Thread::SizedQueue", queue, thread)
    thread.consts["SizedQueue"] = sized
    interp.Object.consts["SizedQueue"] = sized
    mutex = interp.new_class("Thread::Mutex", interp.Object, thread)
    thread.consts["Mutex"] = mutex
    interp.Object.consts["Mutex"] = mutex
    queue.allocator = lambda cls: RObject(cls, pyqueue.Queue())
    sized.allocator = queue.allocator
    mutex.allocator = lambda cls: RObject(cls, MutexPayload())
    single = interp.singleton_class(None, thread)

    def new(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
        return start_thread(f, args, blk)

    def current(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
        return current_thread(interp, f.ts)

    def main(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
        return current_thread(interp, f.ts)

    def pass_(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
        with interp.released():
            threading.Event().wait(0.0001)
        return None
    for n in ("new", "start", "fork"):
        define_native(interp, single, n, new, arity=-1, label=f"Thread.{n}")
    define_native(interp, single, "current", current, arity=0, label="Thread.current")
    define_native(interp, single, "main", main, arity=0, label="Thread.main")
    define_native(interp, single, "pass", pass_, arity=0, label="Thread.pass")


@reg.method(TH, "join", arity=(0, 1))
def join(f: Any, self: RObject, args: list, kw: Any, blk: Any) -> Any:
    interp = f.interp
    p = _payload(f, self)
    if p.main:
        raise interp.error("ThreadError", "Target thread must not be current thread")
    limit = args[0] if args and args[0] is not None else None
    if limit is not None:
        limit = interp.to_f(f, limit)
    with interp.released():
        finished = p.done.wait(limit)
    if f.ts.killed:
        f.ts.checkpoint(f)
    if not finished:
        return None
    if p.error is not None and not p.killed:
        raise RubyError(p.error.exc)
    return self


@reg.method(TH, "value", arity=0)
def value(f: Any, self: RObject, args: list, kw: Any, blk: Any) -> Any:
    join(f, self, [], None, None)
    return _payload(f, self).value


@reg.method(TH, "alive?", arity=0)
def alive(f: Any, self: RObject, args: list, kw: Any, blk: Any) -> Any:
    p = _payload(f, self)
    return p.main or not p.done.is_set()


@reg.method(TH, "status", arity=0)
def status(f: Any, self: RObject, args: list, kw: Any, blk: Any) -> Any:
    p = _payload(f, self)
    if p.main or not p.done.is_set():
        return RString("run")
    if p.error is not None:
        return None
    return False


@reg.method(TH, "kill", "terminate", "exit", arity=0)
def kill(f: Any, self: RObject, args: list, kw: Any, blk: Any) -> Any:
    p = _payload(f, self)
    if p.main:
        raise f.interp.error("NotImplementedError",
                             "killing the main thread is not supported by this implementation")
    if p.done.is_set():
        return self
    p.killed = True
    if p.ts is not None:
        p.ts.killed = True
        p.ts.steps = 0
    p.done.set()
    if p.ts is f.ts:
        f.ts.checkpoint(f)
    return self


@reg.method(TH, "[]", arity=1)
def local_get(f: Any, self: RObject, args: list, kw: Any, blk: Any) -> Any:
    return _payload(f, self).locals.get(f.interp.hkey(args[0]))


@reg.method(TH, "[]=", arity=2)
def local_set(f: Any, self: RObject, args: list, kw: Any, blk: Any) -> Any:
    _payload(f, self).locals[f.interp.hkey(args[0])] = args[1]
    return args[1]


@reg.method(TH, "name", arity=0)
def name(f: Any, self: RObject, args: list, kw: Any, blk: Any) -> Any:
    return _payload(f, self).name


@reg.method(TH, "name=", arity=1)
def set_name(f: Any, self: RObject, args: list, kw: Any, blk: Any) -> Any:
    _payload(f, self).name = args[0]
    return args[0]


@reg.method(TH, "report_on_exception=", "abort_on_exception=", arity=1)
def set_report(f: Any, self: RObject, args: list, kw: Any, blk: Any) -> Any:
    _payload(f, self).report = args[0] is not None and args[0] is not False
    return args[0]


@reg.method(TH, "inspect", "to_s", arity=0)
def inspect(f: Any, self: RObject, args: list, kw: Any, blk: Any) -> Any:
    st = status(f, self, [], None, None)
    word = st.s if isinstance(st, RString) else "dead"
    return RString(f"#<Thread:0x{f.interp.address(self)} {word}>")


# --- Queue ------------------------------------------------------------------------------

def _q(self: RObject) -> pyqueue.Queue:
    return self.payload


@reg.method(Q, "initialize", arity=(0, 1), visibility="private")
def q_init(f: Any, self: RObject, args: list, kw: Any, blk: Any) -> Any:
    if args and isinstance(args[0], RArray):
        for x in args[0]:
            _q(self).put(x)
    return None


@reg.method(Q, "push", "<<", "enq", arity=1)
def q_push(f: Any, self: RObject, args: list, kw: Any, blk: Any) -> Any:
    _q(self).put(args[0])
    return self


@reg.method(Q, "pop", "shift", "deq", arity=(0, 1), kw=True)
def q_pop(f: Any, self: RObject, args: list, kw: Any, blk: Any) -> Any:
    interp = f.interp
    q = _q(self)
    non_block = bool(args) and args[0] is not None and args[0] is not False
    timeout = None
    if kw is not None:
        from ..core.util import sym
        t = kw.get(sym("timeout"))
        if t is not None:
            timeout = interp.to_f(f, t)
    if non_block:
        try:
            return q.get_nowait()
        except pyqueue.Empty:
            raise interp.error("ThreadError", "queue empty") from None
    with interp.released():
        item = _blocking_get(interp, q, timeout)
    if f.ts.killed:
        f.ts.checkpoint(f)
    if item is _DEADLOCK:
        raise interp.error("ThreadError", "No live threads left. Deadlock?")
    if item is _TIMEOUT:
        return None
    return item


_DEADLOCK = object()
_TIMEOUT = object()


def _blocking_get(interp: Any, q: pyqueue.Queue, timeout: float | None) -> Any:
    import time
    deadline = None if timeout is None else time.monotonic() + timeout
    while True:
        try:
            return q.get(timeout=0.05)
        except pyqueue.Empty:
            pass
        if deadline is not None and time.monotonic() >= deadline:
            return _TIMEOUT
        # Nobody else can ever push: Ruby raises a fatal deadlock error here.
        if interp.threads_alive <= 0 and q.empty() and timeout is None:
            return _DEADLOCK


@reg.method(Q, "empty?", arity=0)
def q_empty(f: Any, self: RObject, args: list, kw: Any, blk: Any) -> Any:
    return _q(self).empty()


@reg.method(Q, "size", "length", arity=0)
def q_size(f: Any, self: RObject, args: list, kw: Any, blk: Any) -> Any:
    return _q(self).qsize()


@reg.method(Q, "clear", arity=0)
def q_clear(f: Any, self: RObject, args: list, kw: Any, blk: Any) -> Any:
    q = _q(self)
    with q.mutex:
        q.queue.clear()
    return self


@reg.method(Q, "num_waiting", arity=0)
def q_num_waiting(f: Any, self: RObject, args: list, kw: Any, blk: Any) -> Any:
    return 0


@reg.method(Q, "close", arity=0)
def q_close(f: Any, self: RObject, args: list, kw: Any, blk: Any) -> Any:
    return self


# --- Mutex -------------------------------------------------------------------------------

class MutexPayload:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.owner: Any = None


def _mx(self: RObject) -> MutexPayload:
    return self.payload


@reg.method(MX, "lock", arity=0)
def mx_lock(f: Any, self: RObject, args: list, kw: Any, blk: Any) -> Any:
    m = _mx(self)
    if m.owner is f.ts:
        raise f.interp.error("ThreadError", "deadlock; recursive locking")
    if not m.lock.acquire(blocking=False):
        with f.interp.released():
            m.lock.acquire()
    m.owner = f.ts
    return self


@reg.method(MX, "try_lock", arity=0)
def mx_try_lock(f: Any, self: RObject, args: list, kw: Any, blk: Any) -> Any:
    m = _mx(self)
    if m.lock.acquire(blocking=False):
        m.owner = f.ts
        return True
    return False


@reg.method(MX, "unlock", arity=0)
def mx_unlock(f: Any, self: RObject, args: list, kw: Any, blk: Any) -> Any:
    m = _mx(self)
    if m.owner is not f.ts:
        raise f.interp.error("ThreadError",
                             "Attempt to unlock a mutex which is not locked" if m.owner is None
                             else "Attempt to unlock a mutex which is locked by another thread/"
                                  "fiber")
    m.owner = None
    m.lock.release()
    return self


@reg.method(MX, "locked?", arity=0)
def mx_locked(f: Any, self: RObject, args: list, kw: Any, blk: Any) -> Any:
    return _mx(self).lock.locked()


@reg.method(MX, "owned?", arity=0)
def mx_owned(f: Any, self: RObject, args: list, kw: Any, blk: Any) -> Any:
    return _mx(self).owner is f.ts


@reg.method(MX, "synchronize", arity=0)
def mx_synchronize(f: Any, self: RObject, args: list, kw: Any, blk: Any) -> Any:
    mx_lock(f, self, [], None, None)
    try:
        return blk.code.call(blk, f, [], None)
    finally:
        if _mx(self).owner is f.ts:
            mx_unlock(f, self, [], None, None)
