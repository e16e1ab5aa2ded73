#!/usr/bin/env python3
"""Run milter-manager on loopback with the embedded default configuration and
two example child milters (what `./scripts/demo` does after installing).

    milter-manager  inet:10025@[127.0.0.1]   (-s to change)
      ├─ demo-header     examples/demo_milter.py: adds "X-Demo-Milter: seen"
      └─ demo-recipient  examples/demo_milter.py: adds recipient <audit@example.org>

The configuration directory is a temporary copy of the stock configuration
shipped inside the package, plus a milter-manager.local.conf that defines the
two children: exactly what an admin does in /etc/milter-manager.

`--check` runs one session with milter-test-server, prints its result and
exits (0 when the merged result shows both children's changes).
"""

from __future__ import annotations

import argparse
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from importlib.resources import files
from pathlib import Path

HERE = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_tcp(port: int, proc: subprocess.Popen, what: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"{what} exited with status {proc.returncode} before listening")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise SystemExit(f"{what} is not listening on port {port} after {timeout}s")


def command(name: str) -> str:
    """The installed console script next to this interpreter, else from PATH."""
    path = BIN / name
    return str(path) if path.exists() else name


def write_configuration(directory: Path, ports: tuple[int, int], spec: str) -> None:
    shutil.copytree(Path(str(files("milter_manager") / "data")), directory)
    (directory / "milter-manager.local.conf").write_text(f"""\
# Site settings of the demo (see README.md).
manager.connection_spec = "{spec}"
log.use_syslog = false

# Milters that load_default found installed on this host are left out of the
# demo (they may not be running): only the two example children take part.
defined_milters.each do |name|
  define_milter(name) do |milter|
    milter.enabled = false
  end
end

define_milter("demo-header") do |milter|
  milter.description = "adds X-Demo-Milter"
  milter.connection_spec = "inet:{ports[0]}@[127.0.0.1]"
end

define_milter("demo-recipient") do |milter|
  milter.description = "adds a recipient"
  milter.connection_spec = "inet:{ports[1]}@[127.0.0.1]"
end
""")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="milter-manager demo on loopback")
    parser.add_argument("-s", "--connection-spec", default="inet:10025@[127.0.0.1]")
    parser.add_argument("--check", action="store_true",
                        help="run one session with milter-test-server and exit")
    args = parser.parse_args(argv)
    spec = args.connection_spec
    manager_port = int(spec.split(":", 1)[1].split("@", 1)[0])

    work = Path(tempfile.mkdtemp(prefix="milter-manager-demo-"))
    config_dir = work / "etc"
    ports = (free_port(), free_port())
    write_configuration(config_dir, ports, spec)
    processes: list[subprocess.Popen] = []

    def stop(*_: object) -> None:
        for proc in reversed(processes):
            if proc.poll() is None:
                proc.terminate()
        for proc in processes:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
        shutil.rmtree(work, ignore_errors=True)

    try:
        children = [("--add-header", "X-Demo-Milter: seen"),
                    ("--add-recipient", "<audit@example.org>")]
        for port, (option, value) in zip(ports, children):
            proc = subprocess.Popen([sys.executable, str(HERE / "demo_milter.py"),
                                     "--port", str(port), option, value],
                                    stdout=subprocess.DEVNULL)
            processes.append(proc)
            wait_tcp(port, proc, "demo milter")
        # Stay the invoking user: as root the manager would otherwise switch to
        # `nobody`, who cannot read this temporary directory.
        user = pwd.getpwuid(os.getuid()).pw_name
        manager = subprocess.Popen([command("milter-manager"), "--no-daemon",
                                    "--config-dir", str(config_dir),
                                    "--user-name", user])
        processes.append(manager)
        wait_tcp(manager_port, manager, "milter-manager")

        test_server = [command("milter-test-server"), "-s", spec, "--output-message",
                       "--color", "no"]
        if args.check:
            result = subprocess.run(test_server, capture_output=True, text=True,
                                    timeout=60)
            sys.stdout.write(result.stdout)
            sys.stderr.write(result.stderr)
            merged = ("X-Demo-Milter: seen" in result.stdout
                      and "audit@example.org" in result.stdout)
            return 0 if result.returncode == 0 and merged else 1

        print(f"""
milter-manager is listening on {spec} with two example children.
Its configuration: {config_dir} (--show-config prints it).
In another terminal, send it a session:

    {' '.join(test_server)}

Point Postfix at it with  smtpd_milters = inet:127.0.0.1:{manager_port}
Press Ctrl-C to stop.
""", flush=True)
        signal.signal(signal.SIGTERM, lambda *_: manager.send_signal(signal.SIGTERM))
        try:
            manager.wait()
        except KeyboardInterrupt:
            pass
        return 0
    finally:
        stop()


if __name__ == "__main__":
    sys.exit(main())
