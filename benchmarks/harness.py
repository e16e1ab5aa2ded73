"""Shared pieces of the manager benchmarks (matrix.py, workers.py, memory.py).

- fast test children: milters that answer `continue` to everything, many
  listening sockets served by one event loop in a process of their own;
- the real `milter-manager` daemon started in the foreground on a generated
  configuration (the command an admin runs, workers included);
- an in-process load generator: many concurrent MTA sessions on one event
  loop, each a whole SMTP session (O C H M R T, headers, N, body chunks of at
  most 65535 bytes as Postfix sends them, E, Q), one message per session;
- CPU accounting of a process tree (user and system time separately: the
  system share is the kernel's socket work, which no Python change removes).

Speed is measured here, never asserted in tests.
"""

from __future__ import annotations

import os
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from milter_manager.manager.connection import Stream
from milter_manager.manager.listener import Listener, listen_socket
from milter_manager.manager.loop import EventLoop
from milter_manager.protocol import COMMANDS, REPLIES, FrameReader
from milter_manager.protocol.commands import (
    Body,
    Connect,
    Data,
    EndOfHeader,
    EndOfMessage,
    EnvelopeFrom,
    EnvelopeRecipient,
    Header,
    Helo,
    Negotiate,
    Quit,
)
from milter_manager.protocol.replies import Continue, NegotiateReply

N_HEADERS = 20
MAX_CHUNK = 65535
_CONTINUE = Continue().encode()
_QUIT = Quit().encode()


def raise_nofile() -> None:
    """512 sessions × 8 children need more than the default 1024 descriptors."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def machine() -> str:
    model = "unknown CPU"
    try:
        with open("/proc/cpuinfo") as handle:
            for line in handle:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    load = "/".join(f"{x:.2f}" for x in os.getloadavg())
    return (f"{os.cpu_count()} CPUs ({model}), Python {sys.version.split()[0]}, "
            f"load average {load}")


# -- fast test children ---------------------------------------------------------------

class FastChild:
    """A milter that answers `continue` to everything (negotiating all steps)."""

    __slots__ = ("reader", "stream")

    def __init__(self, loop: EventLoop, sock: socket.socket) -> None:
        if sock.family != socket.AF_UNIX:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.reader = FrameReader(COMMANDS)
        self.stream = Stream(loop, sock, self)

    def data_received(self, data: bytes) -> None:
        write = self.stream.write
        for packet in self.reader.feed(data):
            code = packet.wire_code
            if code == b"O":
                write(NegotiateReply(packet.version, packet.actions, 0).encode())
            elif code in (b"D", b"A"):
                continue
            elif code in (b"Q", b"K"):
                self.stream.close_after_flush()
                return
            else:
                write(_CONTINUE)

    def eof_received(self) -> None:
        self.stream.close()

    def connection_lost(self, error: BaseException | None) -> None:
        pass


def serve_children(specs: list[str]) -> None:
    """Serve a fast child on each spec; print "ready" once all listen."""
    raise_nofile()
    loop = EventLoop()
    for spec in specs:
        sock, bound = listen_socket(spec, backlog=4096)
        Listener(loop, sock, bound, lambda c, a: FastChild(loop, c)).start()
    print("ready", flush=True)
    loop.run_forever()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Children:
    """N fast children in one process (`transport` inet or unix)."""

    def __init__(self, n: int, workdir: Path, transport: str = "inet") -> None:
        if transport == "unix":
            self.specs = [f"unix:{workdir}/child{i}.sock" for i in range(n)]
        else:
            self.specs = [f"inet:{free_port()}@127.0.0.1" for _ in range(n)]
        self.process = subprocess.Popen(
            [sys.executable, __file__, "--serve-children", ",".join(self.specs)],
            stdout=subprocess.PIPE, text=True)
        if self.process.stdout.readline().strip() != "ready":
            raise RuntimeError("the fast children did not start")

    def close(self) -> None:
        self.process.terminate()
        self.process.wait()


# -- the real daemon -------------------------------------------------------------------

class Daemon:
    """`milter-manager --no-daemon` on a generated configuration."""

    def __init__(self, child_specs: list[str], n_workers: int = 0,
                 transport: str = "inet", extra: str = "", cpus: set[int] | None = None,
                 workdir: Path | None = None) -> None:
        self.workdir = Path(workdir or tempfile.mkdtemp(prefix="mm-bench-"))
        self.workdir.chmod(0o755)
        config_dir = self.workdir / "etc"
        config_dir.mkdir(exist_ok=True)
        lines = ["log.use_syslog = false"]
        for i, spec in enumerate(child_specs):
            lines += [f'define_milter("child{i}") do |milter|',
                      f'  milter.connection_spec = "{spec}"', "end"]
        lines.append(extra)
        (config_dir / "milter-manager.conf").write_text("\n".join(lines) + "\n")
        if transport == "unix":
            self.spec = f"unix:{self.workdir}/manager.sock"
        else:
            self.spec = f"inet:{free_port()}@127.0.0.1"
        pid_file = self.workdir / "manager.pid"
        # MM_BENCH_PROFILE=FILE: the daemon runs under cProfile (written at exit).
        profile = os.environ.get("MM_BENCH_PROFILE")
        profiler = ["-m", "cProfile", "-o", profile] if profile else []
        argv = [sys.executable, *profiler, "-m", "milter_manager.cli.main", "-c", str(config_dir), "-s", self.spec,
                "--log-path", str(self.workdir / "manager.log"), "--no-daemon",
                "--pid-file", str(pid_file), "--user-name", _user(),
                "--n-workers", str(n_workers)]
        env = {k: v for k, v in os.environ.items() if not k.startswith("MILTER_")}
        # MM_BENCH_CODE: run another copy of the package (A/B comparisons).
        env["PYTHONPATH"] = os.environ.get("MM_BENCH_CODE", str(ROOT))
        self.process = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL,
                                        stderr=subprocess.PIPE)
        if cpus:
            os.sched_setaffinity(self.process.pid, cpus)   # the workers inherit it
        limit = time.monotonic() + 60
        while not pid_file.exists() or (n_workers and len(self.workers()) < n_workers):
            if self.process.poll() is not None:
                raise RuntimeError(f"milter-manager exited: {self.process.stderr.read()}")
            if time.monotonic() > limit:
                raise RuntimeError("milter-manager did not start")
            time.sleep(0.02)
        self.ps = psutil.Process(self.process.pid)

    def address(self) -> tuple[int, object]:
        return spec_address(self.spec)

    def workers(self) -> list[psutil.Process]:
        try:
            return psutil.Process(self.process.pid).children()
        except psutil.NoSuchProcess:
            return []

    def processes(self) -> list[psutil.Process]:
        return [self.ps, *self.workers()]

    def rss(self) -> int:
        """Resident memory of the serving processes (the workers, or the one process)."""
        serving = self.workers() or [self.ps]
        return sum(p.memory_info().rss for p in serving)

    def close(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        shutil.rmtree(self.workdir, ignore_errors=True)


def _user() -> str:
    import pwd
    return pwd.getpwuid(os.geteuid()).pw_name


def spec_address(spec: str) -> tuple[int, object]:
    if spec.startswith("unix:"):
        return socket.AF_UNIX, spec[5:]
    port, host = spec[5:].split("@")
    return socket.AF_INET, (host.strip("[]"), int(port))


def cpu_seconds(processes: list[psutil.Process]) -> tuple[float, float]:
    """(user, system) CPU seconds of the processes (gone ones count 0)."""
    user = system = 0.0
    for process in processes:
        try:
            times = process.cpu_times()
        except psutil.NoSuchProcess:
            continue
        user += times.user
        system += times.system
    return user, system


# -- load generator ----------------------------------------------------------------------

def message_frames(size: int) -> tuple[list[bytes], list[bytes]]:
    """(frames up to MAIL, frames from MAIL to E) of a SIZE-byte message."""
    headers = [Header(b"X-Header-%02d" % i, b"value %02d of the benchmark message" % i)
               for i in range(N_HEADERS)]
    header_size = sum(len(h.name) + len(h.value) + 4 for h in headers)
    body_size = max(0, size - header_size)
    line = b"0123456789abcdef" * 4 + b"\r\n"
    body = (line * (body_size // len(line) + 1))[:body_size]
    before = [Negotiate(6, 0x1FF, 0).encode(),
              Connect(b"client.example.net", b"4", 40000, b"192.0.2.10").encode(),
              Helo(b"client.example.net").encode()]
    after = [EnvelopeFrom(b"<sender@example.net>").encode(),
             EnvelopeRecipient(b"<rcpt@example.org>").encode(), Data().encode()]
    after += [h.encode() for h in headers]
    after.append(EndOfHeader().encode())
    after += [Body(body[i:i + MAX_CHUNK]).encode() for i in range(0, len(body), MAX_CHUNK)]
    after.append(EndOfMessage().encode())
    return before, after


class Session:
    """One MTA session at a time on one connection slot, then the next."""

    __slots__ = ("mail_at", "reader", "run", "step", "stream")

    def __init__(self, run: Run) -> None:
        self.run = run
        self.start_session()

    def start_session(self) -> None:
        family, address = self.run.address
        sock = socket.socket(family, socket.SOCK_STREAM)
        if family != socket.AF_UNIX:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.connect(address)
        self.reader = FrameReader(REPLIES)
        self.stream = Stream(self.run.loop, sock, self)
        self.step = 0
        self.mail_at = 0.0
        self.send()

    def send(self) -> None:
        if self.step == self.run.n_before:
            self.mail_at = time.perf_counter()
        self.stream.write(self.run.frames[self.step])

    def data_received(self, data: bytes) -> None:
        for _reply in self.reader.feed(data):
            self.step += 1
            if self.step == self.run.n_frames:
                self.run.done(time.perf_counter() - self.mail_at)
                self.stream.write(_QUIT)
                self.stream.close_after_flush()
                if self.run.running:
                    self.start_session()
                return
            self.send()

    def eof_received(self) -> None:
        self.stream.close()
        self.run.failures += 1
        if self.run.running:
            self.start_session()

    def connection_lost(self, error: BaseException | None) -> None:
        self.run.failures += 1
        if self.run.running:
            self.start_session()


class Run:
    """`concurrency` sessions in a loop for `duration` seconds after `warmup`."""

    def __init__(self, address: tuple[int, object], concurrency: int, size: int,
                 duration: float, warmup: float) -> None:
        self.address = address
        before, after = message_frames(size)
        self.frames = before + after
        self.n_before = len(before)
        self.n_frames = len(self.frames)
        self.loop = EventLoop()
        self.latencies: list[float] = []
        self.failures = 0
        self.completed = 0
        self.running = True
        self.measuring = False
        self.concurrency = concurrency
        self.duration = duration
        self.warmup = warmup
        self.elapsed = 0.0

    def done(self, latency: float) -> None:
        self.completed += 1
        if self.measuring:
            self.latencies.append(latency)

    def go(self, on_start=None, on_stop=None, limit: float = 120.0) -> Run:
        """Warm up, then measure. Both phases last at least their time and
        until `concurrency` messages completed (at high concurrency the first
        round of sessions ends all at once, seconds after the start), at
        most `limit` seconds each."""
        sessions = [Session(self) for _ in range(self.concurrency)]
        self._run_phase(self.warmup, lambda: self.completed, limit)
        self.measuring = True
        if on_start:
            on_start()
        started = time.perf_counter()
        self._run_phase(self.duration, lambda: len(self.latencies), limit)
        self.elapsed = time.perf_counter() - started
        if on_stop:
            on_stop()
        self.measuring = False
        self.running = False
        self.loop.run_until(lambda: all(s.stream.closed for s in sessions), timeout=30)
        for session in sessions:
            session.stream.close()
        self.loop.close()
        return self

    def _run_phase(self, seconds: float, count, limit: float) -> None:
        start = time.monotonic()
        self.loop.run_until(lambda: count() >= self.concurrency
                            and time.monotonic() - start >= seconds, timeout=limit)

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.elapsed if self.elapsed else 0.0


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * p))]


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--serve-children":
        serve_children(sys.argv[2].split(","))
