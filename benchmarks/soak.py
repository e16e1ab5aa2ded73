"""Soak: many sessions with a mix of faults through the real daemon; the
daemon's descriptors and memory must stay flat and every session answered.

    .venv/bin/python benchmarks/soak.py [--sessions 100000] [--concurrency 16]
                                        [--report-every 10000]

Three processes besides this one: the `milter-manager` daemon (on loopback,
three children configured with short timeouts and fallbacks accept, reject
and temporary-failure) and a process serving the three child milters. The
children take their orders from the connect host name the MTA sends (which
the manager forwards), so each session chooses its own fault:

* 60 % clean sessions (every child adds a header; the MTA must get `c` with
  the three headers);
* 30 % a child fault at a random stage: it closes, hangs past its timeout,
  answers garbage, a reply not allowed there, `f`, a 100 MB frame header, or a
  reject / temporary failure / discard verdict;
* 10 % an MTA fault: it goes away mid-session, sends an undecodable frame,
  aborts the message and starts another, or quits with `K`.

Every `--report-every` sessions the driver lets the sessions in flight finish,
waits until the daemon holds no session, and prints the daemon's descriptors
and RSS (psutil) and the throughput of the window. At the end: the number of
sessions not answered (a command without its reply within 10 s, or a
connection the daemon closed unasked), clean sessions with a wrong result,
internal errors in the daemon's log, and whether descriptors and RSS stayed
within 5 % of the first report. Exits 1 if any of that failed.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import pwd
import random
import selectors
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from milter_manager.protocol import COMMANDS, REPLIES, FrameReader, ProtocolError

STAGES = b"CHMRTLNBE"
CHILD_FAULTS = ["close", "hang", "garbage", "wrong", "fail", "flood", "reject", "tempfail",
                "discard"]
FALLBACKS = ["accept", "reject", "temporary-failure"]
FINAL = set(b"Ocartdy")


def frame(code: bytes, payload: bytes = b"") -> bytes:
    return struct.pack(">I", len(payload) + 1) + code + payload


# --- the children (their own process) ----------------------------------------------------

class ChildConnection:
    """One connection from the manager to a soak child."""

    def __init__(self, selector: selectors.BaseSelector, sock: socket.socket,
                 name: bytes) -> None:
        self.selector = selector
        self.sock = sock
        self.name = name
        self.reader = FrameReader(COMMANDS)
        self.plan: tuple[bytes, str] | None = None     # (stage, fault) for this child
        self.hanging = False
        sock.setblocking(False)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        selector.register(sock, selectors.EVENT_READ, self)

    def readable(self) -> None:
        try:
            data = self.sock.recv(262144)
        except OSError:
            data = b""
        if not data:
            self.close()
            return
        try:
            packets = self.reader.feed(data)
        except ProtocolError:
            self.close()
            return
        for packet in packets:
            if not self.answer(packet):
                self.close()
                return

    def send(self, data: bytes) -> bool:
        try:
            self.sock.setblocking(True)
            self.sock.settimeout(2)
            self.sock.sendall(data)
            self.sock.setblocking(False)
            return True
        except OSError:
            return False

    def answer(self, packet) -> bool:
        code = packet.wire_code
        if code in (b"D", b"A"):
            return True
        if code in (b"Q", b"K"):
            return True
        if code == b"O":
            return self.send(frame(b"O", struct.pack(">III", 6, 0x1FF, 0)))
        if code == b"C":
            # `soak-<child>-<stage>-<fault>.example`: orders for one child
            parts = packet.hostname.split(b"-")
            if len(parts) == 4 and parts[0] == b"soak" and parts[1] == self.name:
                self.plan = (parts[2], parts[3].split(b".")[0].decode())
        if self.hanging:
            return True
        if self.plan is not None and code == self.plan[0]:
            fault = self.plan[1]
            if fault == "close":
                return False
            if fault == "hang":
                self.hanging = True
                return True
            replies = {
                "garbage": frame(b"Z", b"?"),
                "wrong": frame(b"s") if code == b"E" else frame(b"h", b"X-Wrong\0x\0"),
                "fail": frame(b"f"),
                "flood": struct.pack(">I", (100 << 20) + 1) + b"c" + bytes(65536),
                "reject": frame(b"r"), "tempfail": frame(b"t"), "discard": frame(b"d"),
            }
            return self.send(replies[fault])
        if code == b"E":
            return self.send(frame(b"h", b"X-Soak\0" + self.name + b"\0") + frame(b"c"))
        return self.send(frame(b"c"))

    def close(self) -> None:
        try:
            self.selector.unregister(self.sock)
        except (KeyError, ValueError):
            pass
        self.sock.close()


def serve_children(ports: list[int], ready) -> None:
    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
    selector = selectors.DefaultSelector()
    listeners = {}
    for index, port in enumerate(ports):
        sock = socket.socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", port))
        sock.listen(1024)
        sock.setblocking(False)
        listeners[sock] = str(index + 1).encode()
        selector.register(sock, selectors.EVENT_READ, None)
    ready.set()
    while True:
        for key, _ in selector.select():
            if key.data is None:
                try:
                    conn, _ = key.fileobj.accept()
                except OSError:
                    continue
                ChildConnection(selector, conn, listeners[key.fileobj])
            else:
                key.data.readable()


# --- the MTA side --------------------------------------------------------------------------

class Outcome:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.unanswered = 0
        self.wrong = 0
        self.examples: list[str] = []

    def fail(self, kind: str, message: str) -> None:
        with self.lock:
            if kind == "unanswered":
                self.unanswered += 1
            else:
                self.wrong += 1
            if len(self.examples) < 10:
                self.examples.append(f"{kind}: {message}")


class Session:
    """One MTA session over a blocking socket."""

    def __init__(self, port: int) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.reader = FrameReader(REPLIES)
        self.frames: list = []

    def command(self, data: bytes) -> tuple[bytes | None, list]:
        """Send; (final reply code, modifications), or (None, []) when the
        daemon closed the connection."""
        self.sock.sendall(data)
        modifications = []
        while True:
            while not self.frames:
                chunk = self.sock.recv(262144)
                if not chunk:
                    return None, []
                self.frames += self.reader.feed(chunk)
            packet = self.frames.pop(0)
            if packet.wire_code[0] in FINAL:
                return packet.wire_code, modifications
            modifications.append(packet)

    def close(self) -> None:
        self.sock.close()


def commands(host: bytes) -> list[tuple[bytes, bytes]]:
    return [
        (b"C", frame(b"C", host + b"\x004\x0b\xb8192.0.2.1\0")),
        (b"H", frame(b"H", b"client.example\0")),
        (b"M", frame(b"M", b"<sender@example.org>\0")),
        (b"R", frame(b"R", b"<rcpt@example.net>\0")),
        (b"T", frame(b"T")),
        (b"L", frame(b"L", b"Subject\0soak\0")),
        (b"L", frame(b"L", b"From\0<sender@example.org>\0")),
        (b"N", frame(b"N")),
        (b"B", frame(b"B", b"Hello.\r\n" * 20)),
        (b"E", frame(b"E")),
    ]


def run_session(index: int, port: int, outcome: Outcome) -> None:
    rng = random.Random(index)
    roll = rng.random()
    host, mta_fault, child_fault = b"client.example", None, False
    if roll < 0.3:
        child_fault = True
        host = b"soak-%d-%c-%s.example" % (rng.randint(1, 3), rng.choice(STAGES),
                                            rng.choice(CHILD_FAULTS).encode())
    elif roll < 0.4:
        mta_fault = (rng.choice(["eof", "garbage", "abort", "quit-new"]),
                     rng.randrange(len(commands(host))))
    try:
        session = Session(port)
    except OSError as error:
        outcome.fail("unanswered", f"session {index}: connect: {error}")
        return
    try:
        reply, _ = session.command(frame(b"O", struct.pack(">III", 6, 0x1FF, 0)))
        if reply != b"O":
            outcome.fail("unanswered", f"session {index}: negotiate -> {reply!r}")
            return
        for position, (code, data) in enumerate(commands(host)):
            if mta_fault is not None and position == mta_fault[1]:
                kind = mta_fault[0]
                if kind == "eof":
                    return
                if kind == "garbage":
                    session.sock.sendall(frame(b"Z", b"?"))
                    if session.sock.recv(1) != b"":
                        outcome.fail("wrong", f"session {index}: reply to garbage")
                    return
                if kind == "quit-new":
                    session.sock.sendall(frame(b"K"))
                    return
                session.sock.sendall(frame(b"A"))        # abort, then a new message
                for code2, data2 in commands(host)[2:]:
                    reply, mods = session.command(data2)
                    if reply is None:
                        outcome.fail("unanswered", f"session {index}: {code2!r} after abort")
                        return
                    if reply != b"c":
                        break
                break
            reply, mods = session.command(data)
            if reply is None:
                outcome.fail("unanswered", f"session {index} ({host!r}): no reply to {code!r}")
                return
            if reply != b"c":
                if not child_fault:
                    outcome.fail("wrong", f"session {index}: {code!r} -> {reply!r}")
                break
            if code == b"E" and not child_fault and mta_fault is None:
                added = sorted(m.value for m in mods if m.wire_code in (b"h", b"i"))
                if added != [b"1", b"2", b"3"]:
                    outcome.fail("wrong", f"session {index}: headers {added!r}")
        session.sock.sendall(frame(b"Q"))
        session.sock.settimeout(10)
        if session.sock.recv(1) != b"":
            outcome.fail("wrong", f"session {index}: data after Q")
    except TimeoutError:
        outcome.fail("unanswered", f"session {index} ({host!r}): timed out")
    except OSError as error:
        outcome.fail("unanswered", f"session {index} ({host!r}): {error}")
    finally:
        session.close()


def worker(counter, lock: threading.Lock, port: int, outcome: Outcome) -> None:
    """Run sessions until the shared counter is exhausted."""
    while True:
        with lock:
            index = next(counter, None)
        if index is None:
            return
        run_session(index, port, outcome)


# --- the daemon ------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def write_configuration(directory: Path, ports: list[int]) -> None:
    lines = ["log.use_syslog = false"]
    for index, (port, fallback) in enumerate(zip(ports, FALLBACKS, strict=True)):
        lines += [f'define_milter("soak{index + 1}") do |milter|',
                  f'  milter.connection_spec = "inet:{port}@127.0.0.1"',
                  f'  milter.fallback_status = "{fallback}"',
                  # Short enough that hanging children do not dominate the
                  # run, long enough for a loaded 2-core machine.
                  "  milter.reading_timeout = 1",
                  "  milter.writing_timeout = 2",
                  "  milter.end_of_message_timeout = 1",
                  "end"]
    (directory / "milter-manager.conf").write_text("\n".join(lines) + "\n")


def start_daemon(directory: Path, port: int) -> subprocess.Popen:
    script = Path(sys.executable).parent / "milter-manager"
    command = [sys.executable, str(script)] if script.exists() else \
        [sys.executable, "-m", "milter_manager.cli.main"]
    log = directory / "manager.log"
    user = pwd.getpwuid(os.getuid()).pw_name
    process = subprocess.Popen(
        [*command, "-c", str(directory), "-s", f"inet:{port}@127.0.0.1", "--no-daemon",
         "--log-path", str(log), "--log-level", "critical|error", "--user-name", user],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd="/")
    limit = time.monotonic() + 30
    while time.monotonic() < limit:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return process
        except OSError:
            if process.poll() is not None:
                raise RuntimeError(process.stderr.read().decode()) from None
            time.sleep(0.05)
    raise RuntimeError("the daemon did not start")


def sessions_in_progress(process: psutil.Process, port: int) -> int:
    return sum(1 for c in process.net_connections(kind="tcp")
               if c.laddr and c.laddr.port == port and c.status == psutil.CONN_ESTABLISHED)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=100_000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--report-every", type=int, default=10_000)
    args = parser.parse_args()
    directory = Path(tempfile.mkdtemp(prefix="mm-soak-"))
    directory.chmod(0o755)
    child_ports = [free_port() for _ in FALLBACKS]
    port = free_port()
    write_configuration(directory, child_ports)
    context = multiprocessing.get_context("fork")
    ready = context.Event()
    children = context.Process(target=serve_children, args=(child_ports, ready), daemon=True)
    children.start()
    ready.wait(10)
    daemon = start_daemon(directory, port)
    watched = psutil.Process(daemon.pid)
    outcome = Outcome()
    reports: list[tuple[int, int, int]] = []
    print(f"soak: {args.sessions:,} sessions, {args.concurrency} at a time, daemon pid "
          f"{daemon.pid}", flush=True)
    print(f"{'sessions':>9} {'fds':>5} {'RSS MiB':>8} {'sessions/s':>11} {'unanswered':>11} "
          f"{'wrong':>6}", flush=True)
    started = time.perf_counter()
    try:
        next_index = 0
        while next_index < args.sessions:
            window_start = time.perf_counter()
            end = min(args.sessions, next_index + args.report_every)
            counter = iter(range(next_index, end))
            lock = threading.Lock()
            threads = [threading.Thread(target=worker, args=(counter, lock, port, outcome))
                       for _ in range(args.concurrency)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            elapsed = time.perf_counter() - window_start
            # Let the daemon finish what the last sessions left (children
            # timing out after the MTA went away) before measuring.
            limit = time.monotonic() + 10
            while sessions_in_progress(watched, port) and time.monotonic() < limit:
                time.sleep(0.05)
            time.sleep(1.0)
            fds, rss = watched.num_fds(), watched.memory_info().rss
            reports.append((end, fds, rss))
            print(f"{end:>9,} {fds:>5} {rss / 2**20:>8.1f} {(end - next_index) / elapsed:>11,.0f} "
                  f"{outcome.unanswered:>11} {outcome.wrong:>6}", flush=True)
            next_index = end
    finally:
        total = time.perf_counter() - started
        daemon.send_signal(signal.SIGTERM)
        try:
            daemon.wait(30)
        except subprocess.TimeoutExpired:
            daemon.kill()
        children.terminate()
        children.join(5)
    log = (directory / "manager.log").read_text(errors="replace") \
        if (directory / "manager.log").exists() else ""
    internal = [line for line in log.splitlines() if "[internal]" in line or "critical" in line]
    shutil.rmtree(directory, ignore_errors=True)
    first_fds, first_rss = reports[0][1], reports[0][2]
    fd_drift = max(abs(fds - first_fds) for _, fds, _ in reports) / first_fds
    rss_drift = max(abs(rss - first_rss) for _, _, rss in reports) / first_rss
    for example in outcome.examples:
        print("  " + example)
    print(f"soak: {args.sessions:,} sessions in {total:.0f} s ({args.sessions / total:,.0f}/s); "
          f"unanswered {outcome.unanswered}, wrong {outcome.wrong}, internal errors "
          f"{len(internal)}; fds {first_fds}..{max(f for _, f, _ in reports)} "
          f"(drift {fd_drift:.1%}), RSS {first_rss / 2**20:.1f}.."
          f"{max(r for _, _, r in reports) / 2**20:.1f} MiB (drift {rss_drift:.1%})", flush=True)
    ok = not outcome.unanswered and not outcome.wrong and not internal \
        and fd_drift <= 0.05 and rss_drift <= 0.05
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
