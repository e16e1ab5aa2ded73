"""The user-visible benchmark: `milter-performance-check` against Postfix.

A private Postfix on loopback (the e2e tests' component,
`tests/e2e/components/postfix.py`) relays to a sink that discards (aiosmtpd,
its own process). Three set-ups, same mails:

- Postfix with no milter;
- Postfix -> one fast test child directly (`smtpd_milters`);
- Postfix -> the real `milter-manager` -> 2 fast test children.

`milter-performance-check` (ours, `milter_manager/tools/performance_check`)
sends `--mails` generated mails at each concurrency and reports throughput.
Postfix writes every mail to its queue (and fsyncs it) before answering, so
this is what a mail server sees, not the manager alone (`matrix.py` is that).

    .venv/bin/python benchmarks/postfix.py [--mails 500] [--concurrency 1,8]
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(ROOT))

from harness import Children, Daemon, cpu_seconds, free_port, machine

from tests.e2e.components.postfix import Postfix, inet_milter

SINK = """
import sys
from aiosmtpd.controller import Controller
class H:
    async def handle_DATA(self, server, session, envelope):
        return "250 OK"
c = Controller(H(), hostname="127.0.0.1", port=int(sys.argv[1]))
c.start()
print("ready", flush=True)
sys.stdin.read()
c.stop()
"""


def check(port: int, mails: int, concurrency: int) -> tuple[float, int, str]:
    done = subprocess.run(
        [sys.executable, "-m", "milter_manager.tools.performance_check",
         "--smtp-server=127.0.0.1", f"--smtp-port={port}", f"--n-mails={mails}",
         f"--n-concurrent-connections={concurrency}", "--recipient=user@example.org"],
        capture_output=True, text=True, check=False)
    throughput = re.search(r"Throughput: +([\d.]+)", done.stdout)
    errors = re.search(r"Error: +(\d+)", done.stdout)
    if throughput is None:
        return 0.0, mails, (done.stdout + done.stderr)[-500:]
    return float(throughput.group(1)), int(errors.group(1)) if errors else 0, ""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mails", type=int, default=500)
    parser.add_argument("--concurrency", default="1,8")
    args = parser.parse_args()
    print(f"machine: {machine()}")
    # Postfix drops privileges: its files live outside pytest-like 0700 trees.
    work = Path(tempfile.mkdtemp(prefix="mm-bench-postfix-"))
    work.chmod(0o755)
    sink_port = free_port()
    sink = subprocess.Popen([sys.executable, "-c", SINK, str(sink_port)],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert sink.stdout.readline() == "ready\n"
    children = Children(2, work)
    daemon = Daemon(children.specs, 0)
    setups = [("no milter", []),
              ("one child directly", [inet_milter(int(children.specs[0].split(":")[1]
                                                      .split("@")[0]))]),
              ("manager, 2 children", [inet_milter(int(daemon.spec.split(":")[1]
                                                       .split("@")[0]))])]
    try:
        print(f"{'set-up':22} {'conc':>4} {'mails/s':>8} {'errors':>6} "
              f"{'manager ms/mail':>15}")
        for label, milters in setups:
            postfix = Postfix(work / label.replace(" ", "-").replace(",", ""),
                              relay_port=sink_port, smtpd_milters=milters,
                              traverse_up_to=work)
            postfix.root.mkdir(parents=True, exist_ok=True)
            postfix.start()
            try:
                check(postfix.smtp_port, 20, 1)       # warm-up
                for c in (int(c) for c in args.concurrency.split(",")):
                    before = cpu_seconds(daemon.processes())
                    rate, errors, failure = check(postfix.smtp_port, args.mails, c)
                    after = cpu_seconds(daemon.processes())
                    used = (after[0] + after[1] - before[0] - before[1]) / args.mails * 1000
                    manager = f"{used:.2f}" if "manager" in label else ""
                    print(f"{label:22} {c:>4} {rate:>8.1f} {errors:>6} {manager:>15}"
                          + (f"  {failure}" if failure else ""), flush=True)
            finally:
                postfix.stop()
    finally:
        daemon.close()
        children.close()
        sink.stdin.close()
        sink.wait()
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
