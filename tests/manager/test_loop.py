"""The event loop, buffered streams and listeners (manager/loop.py, connection.py, listener.py)."""

import socket
import threading
import time

import pytest

from milter_manager.manager.connection import Stream, connect_stream
from milter_manager.manager.listener import (
    Listener,
    ListenError,
    SpecError,
    listen_socket,
    resolve_spec,
)
from milter_manager.manager.loop import EventLoop


@pytest.fixture
def loop():
    loop = EventLoop()
    yield loop
    loop.close()


def test_timers_fire_in_order_and_cancel(loop):
    fired = []
    loop.call_later(0.02, fired.append, "b")
    loop.call_later(0.01, fired.append, "a")
    cancelled = loop.call_later(0.015, fired.append, "x")
    cancelled.cancel()
    assert loop.run_until(lambda: len(fired) == 2, timeout=2)
    loop.run_once(max_wait=0.03)
    assert fired == ["a", "b"]


def test_deadline_rearm_moves_later_and_cancel(loop):
    fired = []
    d = loop.deadline(lambda: fired.append(loop.update_time()))
    start = loop.update_time()
    d.arm(0.02)
    loop.run_once(max_wait=0.01)
    d.arm(0.06)           # moved later: must not fire at the first deadline
    assert loop.run_until(lambda: fired, timeout=2)
    assert fired[0] - start >= 0.06
    d.arm(0.01)
    d.cancel()
    loop.run_until(lambda: False, timeout=0.05)
    assert len(fired) == 1


def test_call_soon_threadsafe_wakes_the_loop(loop):
    got = []
    t = threading.Thread(target=lambda: (time.sleep(0.05), loop.call_soon_threadsafe(got.append, 1)))
    t.start()
    stopper = threading.Timer(3, loop.stop)
    stopper.start()
    loop.call_soon(lambda: None)

    def check():
        if got:
            loop.stop()
        else:
            loop.call_later(0.001, check)
    check()
    begun = time.monotonic()
    loop.run_forever()
    stopper.cancel()
    t.join()
    assert got == [1]
    assert time.monotonic() - begun < 2


def test_when_idle_runs_once_nothing_is_pending(loop):
    seen = []
    loop.when_idle(lambda: seen.append("idle"))
    loop.call_soon(seen.append, "soon")
    loop.run_once(max_wait=0.01)
    loop.run_once(max_wait=0.01)
    assert seen == ["soon", "idle"]


class Recorder:
    def __init__(self):
        self.data = b""
        self.eof = False
        self.lost = None

    def data_received(self, data):
        self.data += data

    def eof_received(self):
        self.eof = True

    def connection_lost(self, error):
        self.lost = error


def test_stream_batches_writes_in_one_turn_and_reports_flush(loop):
    a, b = socket.socketpair()
    rec = Recorder()
    s = Stream(loop, a, rec)
    flushed = []
    s.write(b"one")
    s.write(memoryview(b"two"))
    s.on_flushed(lambda: flushed.append(True))
    assert flushed == []          # nothing is sent before the end of the turn
    loop.run_once(max_wait=0)
    assert flushed == [True]
    assert b.recv(100) == b"onetwo"
    b.sendall(b"hello")
    assert loop.run_until(lambda: rec.data == b"hello", timeout=2)
    b.close()
    assert loop.run_until(lambda: rec.eof, timeout=2)
    s.close()


def test_slow_peer_never_blocks_and_write_timeout_fires(loop):
    a, b = socket.socketpair()
    rec = Recorder()
    s = Stream(loop, a, rec)
    timed_out = []
    s.set_write_timeout(0.1, lambda: timed_out.append(True))
    big = b"x" * (8 * 1024 * 1024)   # far more than the socket buffer
    begun = time.monotonic()
    s.write(big)
    loop.run_once(max_wait=0)
    assert time.monotonic() - begun < 1
    assert s.write_pending > 0
    assert loop.run_until(lambda: timed_out, timeout=3)
    s.close()
    b.close()


def test_slow_peer_receives_everything_eventually(loop):
    a, b = socket.socketpair()
    s = Stream(loop, a, Recorder())
    payload = bytes(range(256)) * 20000
    s.write(payload)
    received = bytearray()
    b.setblocking(False)

    def drain():
        try:
            while True:
                chunk = b.recv(65536)
                if not chunk:
                    break
                received.extend(chunk)
        except BlockingIOError:
            pass
        return len(received) == len(payload)
    assert loop.run_until(drain, timeout=5)
    assert bytes(received) == payload
    s.close()
    b.close()


def test_resolve_spec_forms():
    assert resolve_spec("inet:10026@localhost").address == ("127.0.0.1", 10026)
    assert resolve_spec("inet:25@[127.0.0.2]").address == ("127.0.0.2", 25)
    assert resolve_spec("inet:25").address == ("0.0.0.0", 25)
    assert resolve_spec("inet6:25@[::1]").address == ("::1", 25, 0, 0)
    assert resolve_spec("unix:/tmp/x.sock").family == socket.AF_UNIX
    assert resolve_spec("local:/tmp/x.sock").address == "/tmp/x.sock"
    with pytest.raises(SpecError):
        resolve_spec("tcp:25")
    with pytest.raises(SpecError):
        resolve_spec("inet:25@[::1]")


def test_listener_every_spec_form_accepts(loop, tmp_path):
    specs = ["inet:0@127.0.0.1", "inet:0@[127.0.0.1]", f"unix:{tmp_path}/a.sock",
             f"local:{tmp_path}/b.sock"]
    if socket.has_ipv6:
        specs.append("inet6:0@[::1]")
    for spec in specs:
        sock, bound = listen_socket(spec, unix_socket_mode=0o660)
        accepted = []
        listener = Listener(loop, sock, bound, lambda c, a, acc=accepted: acc.append(c))
        listener.start()
        resolved = resolve_spec(listener.spec)
        client = socket.socket(resolved.family, socket.SOCK_STREAM)
        client.connect(resolved.address)
        assert loop.run_until(lambda acc=accepted: acc, timeout=2), spec
        if bound.family == socket.AF_UNIX:
            import os
            import stat
            assert stat.S_IMODE(os.stat(bound.address).st_mode) & 0o007 == 0
        accepted[0].close()
        client.close()
        listener.close(remove_unix_socket=True)


def test_listen_error_text(tmp_path):
    with pytest.raises(ListenError) as info:
        listen_socket(f"unix:{tmp_path}/no/such/dir/x.sock")
    assert str(info.value.strerror).startswith("failed to bind(): unix:")
    assert "No such file or directory" in info.value.strerror


def test_connect_stream_immediate_and_async_failures(loop, tmp_path):
    results = []
    connect_stream(loop, socket.AF_UNIX, str(tmp_path / "missing.sock"), 1.0, results.append)
    assert results and results[0].immediate and results[0].error is not None
    # A closed TCP port on loopback: refused (reported later, or at once on
    # some kernels; either way an error).
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    results.clear()
    connect_stream(loop, socket.AF_INET, ("127.0.0.1", port), 1.0, results.append)
    assert loop.run_until(lambda: results, timeout=2)
    assert results[0].error is not None and results[0].sock is None
