"""milter-report-statistics on processes this test starts (tools.md §5)."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from e2e.components.manager import Manager, ruby_config

from milter_manager.tools.report_statistics import cpu_time, matches, process_names

MODULE = "milter_manager.tools.report_statistics"
HEADER = "    Time    PID       VSS       RSS  %CPU CPU time   #FD command"
ROW = re.compile(r"(\d\d:\d\d:\d\d) ([ \d]{6}) ([ \d]{6} kB) ([ \d]{6} kB) ([ \d.]{5}) "
                 r"([ \d:.]{8}) ([ \d]{5}) (.*)")

SLEEPER = "import sys, time\nopen(sys.argv[1], 'w').close()\ntime.sleep(120)\n"
SPINNER = ("import sys, time\nopen(sys.argv[1], 'w').close()\n"
           "end = time.time() + 120\nwhile time.time() < end: pass\n")
# Sets its kernel name (/proc/PID/comm) as the manager does (cli.md §15).
RENAMED = ("import ctypes, sys, time\n"
           "ctypes.CDLL(None).prctl(15, b'renamed-proc', 0, 0, 0)\n"
           "open(sys.argv[1], 'w').close()\ntime.sleep(120)\n")


@pytest.fixture
def spawn(tmp_path):
    started: list[subprocess.Popen] = []

    def start(name: str, code: str = SLEEPER, *args: str) -> subprocess.Popen:
        script = tmp_path / name
        script.write_text(code)
        ready = tmp_path / f"{name}.{len(started)}.ready"
        process = subprocess.Popen([sys.executable, str(script), str(ready), *args])
        started.append(process)
        deadline = time.monotonic() + 20
        while not ready.exists():
            assert time.monotonic() < deadline and process.poll() is None
            time.sleep(0.02)
        return process

    yield start
    for process in started:
        process.kill()
        process.wait()


def report(*args: str, seconds: float = 1.2) -> tuple[int, list[str]]:
    """Run the tool for `seconds`, stop it with SIGTERM; (status, lines)."""
    process = subprocess.Popen([sys.executable, "-m", MODULE, *args],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(seconds)
    process.send_signal(signal.SIGTERM)
    out, err = process.communicate(timeout=30)
    assert err == ""
    return process.returncode, out.splitlines()


def rows_of(lines: list[str], pid: int) -> list[re.Match[str]]:
    found = [ROW.fullmatch(line) for line in lines[1:]]
    return [m for m in found if m and int(m.group(2)) == pid]


def test_usage_without_target_exits_1():
    result = subprocess.run([sys.executable, "-m", MODULE], capture_output=True, text=True,
                            timeout=60, check=False)
    assert result.returncode == 1
    assert result.stdout.startswith(
        "Usage: milter-report-statistics [options] TARGET1 TARGET2 ...\n")
    for option in ("--filter=REGEXP", "--pid=PID", "--pid-directory=DIR", "--interval=SECONDS"):
        assert option in result.stdout
    assert subprocess.run([sys.executable, "-m", MODULE, "--help"], capture_output=True,
                          timeout=60, check=False).returncode == 0


def test_rows_for_a_target(spawn):
    process = spawn("fake-milter")
    status, lines = report("--interval=0.3", "fake-milter")
    assert status == 0
    assert lines[0] == HEADER
    rows = rows_of(lines, process.pid)
    assert len(rows) >= 2
    status_file = Path(f"/proc/{process.pid}/status").read_text()
    vm_size = re.search(r"VmSize:\s+(\d+ kB)", status_file).group(1)
    for row in rows:
        assert row.group(3).strip() == vm_size  # VSS as /proc/PID/status writes it
        assert row.group(4).strip().endswith(" kB")
        assert re.fullmatch(r"\d+\.\d", row.group(5).strip())
        assert re.fullmatch(r"\d+:\d\d\.\d\d", row.group(6).strip())
        assert int(row.group(7)) == len(os.listdir(f"/proc/{process.pid}/fd"))
        assert row.group(8) == " ".join(process.args)


def test_cpu_columns_are_filled(spawn):
    busy = spawn("busy-milter", SPINNER)
    time.sleep(0.5)
    _, lines = report("--interval=0.4", "busy-milter", seconds=1.8)
    rows = rows_of(lines, busy.pid)
    assert len(rows) >= 3
    cpu_times = [row.group(6).strip() for row in rows]
    seconds = [int(t.split(":")[0]) * 60 + float(t.split(":")[1]) for t in cpu_times]
    assert seconds == sorted(seconds) and seconds[-1] > seconds[0]
    assert all(float(row.group(5)) > 0.0 for row in rows)


def test_matching_rules(spawn):
    lt = spawn("lt-wrapped-milter")
    renamed = spawn("other-name", RENAMED)
    _, lines = report("--interval=0.5", "wrapped-milter", "renamed-proc", seconds=0.8)
    assert rows_of(lines, lt.pid) and rows_of(lines, renamed.pid)
    assert matches("milter-manager", ["/usr/bin/python3", "-u", "/usr/sbin/milter-manager",
                                      "--no-daemon"], "python3")
    assert matches("milter-manager", ["/usr/bin/python3", "-m", "milter_manager.cli.main"],
                   "milter-manager")
    assert matches("milter-manager", ["/usr/sbin/lt-milter-manager"], "lt-milter-manag")
    assert not matches("milter-manager", ["/usr/bin/vim", "milter-manager"], "vim")
    assert process_names(["/usr/bin/ruby", "-w", "/x/tool", "y"], "ruby") == {"ruby", "tool"}


def test_rows_in_pid_order_filters_and_not_found(spawn):
    first = spawn("twin-milter", SLEEPER, "--mode=a")
    second = spawn("twin-milter", SLEEPER, "--mode=b")
    _, lines = report("--interval=0.5", "twin-milter", seconds=0.8)
    pids = [int(m.group(2)) for m in map(ROW.fullmatch, lines[1:]) if m]
    assert pids[:2] == sorted([first.pid, second.pid])
    _, lines = report("--interval=0.5", "--filter=MODE=B", "--filter=twin", "twin-milter",
                      seconds=0.8)
    pids = {int(m.group(2)) for m in map(ROW.fullmatch, lines[1:]) if m}
    assert pids == {second.pid}
    _, lines = report("--interval=0.3", "no-such-process-anywhere", seconds=0.8)
    assert len(lines) >= 2
    assert all(re.fullmatch(r"\d\d:\d\d:\d\d not found", line) for line in lines[1:])


def test_pids_and_pid_directory(spawn, tmp_path):
    one = spawn("pid-one")
    two = spawn("pid-two")
    nested = tmp_path / "run" / "deep"
    nested.mkdir(parents=True)
    (nested / "two.pid").write_text(f"{two.pid}\n")
    (tmp_path / "run" / "ignored.txt").write_text(f"{os.getpid()}\n")
    _, lines = report("--interval=0.5", f"--pid={one.pid}", f"--pid-directory={tmp_path / 'run'}",
                      "unrelated-target", seconds=0.8)
    pids = {int(m.group(2)) for m in map(ROW.fullmatch, lines[1:]) if m}
    assert pids == {one.pid, two.pid}


def test_cpu_time_format():
    assert cpu_time(0.06) == "0:00.06"
    assert cpu_time(61.5) == "1:01.50"
    assert cpu_time(3600) == "60:00.00"


@pytest.mark.slow
def test_finds_the_python_milter_manager(tmp_path):
    """cli.md §15: the daemon's processes are named `milter-manager`."""
    manager = Manager(tmp_path / "manager", ruby_config([]), user_name="root").start()
    try:
        _, lines = report("--interval=0.5", "milter-manager", seconds=1.5)
        rows = rows_of(lines, manager.process.pid)
        assert rows, lines
        assert "milter_manager.cli.main" in rows[0].group(8)
    finally:
        manager.stop()
