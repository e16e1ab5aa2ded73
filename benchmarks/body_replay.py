"""Body replay of a 1 MiB message to 8 children: no copy per child.

The manager (in this process, so it can be traced) keeps the MTA's body
chunks as received and replays them to each child of the chain as views
(`manager/message.py`, `ChildMilter.send_body`). Two pieces of evidence:

1. every `B` payload written to a child's stream is traced back to the buffer
   it views: the distinct buffers are the MTA's chunks (16 of 65,535 bytes
   for 1 MiB), shared by all 8 children, so 8 MiB of body went out and
   0 bytes were copied for it;
2. tracemalloc: the peak of live memory during the session over the
   baseline (the body held once, plus the read buffers), and the largest
   allocation sites at the moment of the peak turn.

    .venv/bin/python benchmarks/body_replay.py [--children 8] [--size 1048576]
"""

from __future__ import annotations

import argparse
import shutil
import socket
import sys
import tempfile
import tracemalloc
from pathlib import Path
from types import SimpleNamespace

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import Children, message_frames

from milter_manager.manager import Manager, ManagerLog
from milter_manager.manager import connection as connection_module
from milter_manager.manager.log import CRITICAL, ERROR
from milter_manager.protocol import REPLIES, FrameReader

KiB = 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--children", type=int, default=8)
    parser.add_argument("--size", type=int, default=1048576)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="mm-replay-"))
    children = Children(args.children, work, "unix")
    eggs = [SimpleNamespace(name=f"child{i}", connection_spec=spec, enabled=True,
                            applicable_conditions=[])
            for i, spec in enumerate(children.specs)]
    manager = Manager(SimpleNamespace(manager=SimpleNamespace(), eggs=eggs),
                      f"unix:{work}/manager.sock", log=ManagerLog(CRITICAL | ERROR))
    manager.start()

    # Every buffer a B payload written to a child views (white-box trace).
    payload_buffers: dict[int, int] = {}
    written = [0]
    original = connection_module.Stream.writelines

    def traced_writelines(self, chunks):
        for chunk in chunks:
            if len(chunk) >= 4096:
                base = chunk.obj if isinstance(chunk, memoryview) else chunk
                payload_buffers[id(base)] = len(base)
                written[0] += len(chunk)
        return original(self, chunks)
    connection_module.Stream.writelines = traced_writelines

    before, after = message_frames(args.size)
    frames = before + after
    mta = socket.socket(socket.AF_UNIX)
    mta.connect(f"{work}/manager.sock")
    mta.setblocking(False)
    reader = FrameReader(REPLIES)
    step = [0]
    pending = bytearray()

    def pump() -> bool:
        try:
            data = mta.recv(65536)
        except BlockingIOError:
            data = b""
        for _ in reader.feed(data) if data else ():
            step[0] += 1
            if step[0] < len(frames):
                pending.extend(frames[step[0]])
        if pending:
            try:
                n = mta.send(pending)
                del pending[:n]
            except BlockingIOError:
                pass
        return step[0] >= len(frames)

    tracemalloc.start(12)
    baseline, _ = tracemalloc.get_traced_memory()
    tracemalloc.reset_peak()
    pending.extend(frames[0])
    peak_snapshot = None
    peak_seen = 0
    while not pump():
        manager.loop.run_once(max_wait=0.01)
        current, peak = tracemalloc.get_traced_memory()
        if current > peak_seen:
            peak_seen = current
            peak_snapshot = tracemalloc.take_snapshot()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    connection_module.Stream.writelines = original
    mta.close()
    manager.loop.run_until(lambda: not manager.sessions, timeout=5)
    manager.stop()
    children.close()
    shutil.rmtree(work, ignore_errors=True)

    body = sum(len(f) - 5 for f in after if f[4:5] == b"B")
    print(f"{args.size // KiB} KiB message ({body} body bytes in "
          f"{sum(1 for f in after if f[4:5] == b'B')} MTA chunks), {args.children} children")
    print(f"B payload bytes written to children: {written[0]} "
          f"({written[0] / body:.1f} x the body)")
    print(f"distinct buffers they view: {len(payload_buffers)}, "
          f"{sum(payload_buffers.values())} bytes in all "
          f"-> {written[0] - sum(payload_buffers.values())} bytes shared, not copied")
    print(f"tracemalloc peak over baseline during the session: "
          f"{(peak - baseline) / KiB:.0f} KiB (body {body / KiB:.0f} KiB)")
    if peak_snapshot is not None:
        print("largest live allocation sites at the peak turn:")
        stats = peak_snapshot.statistics("lineno")[:6]
        for stat in stats:
            frame = stat.traceback[0]
            print(f"  {stat.size / KiB:8.0f} KiB in {stat.count:5} blocks  "
                  f"{Path(frame.filename).name}:{frame.lineno}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
