"""Log lines (cli.md §3, §13, §14): destinations, levels, items, colour, the
statistics lines, and the environment variables of §3."""

from __future__ import annotations

import re
import signal
import socket

from .support import (
    clean_env,
    free_port,
    ruby_config,
    run_cli,
    session,
    start_daemon,
    wait_until,
    write_config,
)

TIME = r"\[\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?Z\]"


def stopped_output(daemon) -> str:
    daemon.signal(signal.SIGTERM)
    assert daemon.wait() == 0
    return daemon.output()[0]


def test_statistics_lines(procs, workdir):
    a, b = procs.milter("a"), procs.milter("b")
    daemon = start_daemon(procs, workdir, ruby_config([("a", a.spec), ("b", b.spec)]),
                          verbose=False)
    assert session(daemon.spec) == (b"c", ["a", "b"])
    daemon.wait_log("[sessions][finished]")
    lines = [line.split("]: ", 1)[1] for line in daemon.log_text().splitlines()]
    elapsed = r"\[(0|\d+(\.\d+)?(e-\d+)?)\]"
    expected = [
        r"\[milter\]\[header\]\[add\]\(2\): <X-Seen-By>=<a>: a",
        r"\[milter\]\[header\]\[add\]\(3\): <X-Seen-By>=<b>: b",
        r"\[session\]\[header\]\[add\]\(1\): <X-Seen-By>=<[ab]>",
        r"\[session\]\[header\]\[add\]\(1\): <X-Seen-By>=<[ab]>",
        r"\[session\]\[end\]\[end-of-message\]\[pass\]" + elapsed + r"\(1\)",
        r"\[milter\]\[end\]\[end-of-message\]\[pass\]" + elapsed + r"\(2\): a",
        r"\[milter\]\[end\]\[end-of-message\]\[pass\]" + elapsed + r"\(3\): b",
        r"\[sessions\]\[finished\] 1\(\+1\) 0",
    ]
    assert len(lines) == len(expected), lines
    for line, pattern in zip(lines, expected, strict=True):
        assert re.fullmatch(pattern, line), line


def test_default_level_and_log_path_dash_is_stdout(procs, workdir):
    a = procs.milter("a")
    daemon = start_daemon(procs, workdir, ruby_config([("a", a.spec)]), "--log-path", "-",
                          verbose=False)
    session(daemon.spec)
    wait_until(lambda: daemon.process.poll() is None)
    out = stopped_output(daemon)
    assert re.search(TIME + r": \[session\]\[end\]\[end-of-message\]\[pass\]", out)
    assert "[client][listen][start]" not in out            # info is not in the default


def test_verbose_quiet_and_relative_levels(procs, workdir):
    a = procs.milter("a")
    quiet = start_daemon(procs, workdir, ruby_config([("a", a.spec)]), "--log-path", "-", "-q",
                         verbose=False)
    session(quiet.spec)
    assert stopped_output(quiet) == ""
    relative = start_daemon(procs, workdir, ruby_config([("a", a.spec)]), "--log-path", "-",
                            "--log-level", "+info|-statistics", verbose=False)
    session(relative.spec)
    wait_until(lambda: relative.process.poll() is None)
    out = stopped_output(relative)
    assert "[client][listen][start]" in out and "[session][end]" not in out


def test_configuration_level_wins_over_the_baseline(procs, workdir):
    daemon = start_daemon(procs, workdir, ruby_config(extra='log.level = "info"'),
                          "--log-level", "error", verbose=False)
    daemon.wait_log("[client][event-loop][glib]")


def test_log_items_and_colour(procs, workdir):
    env = clean_env(MILTER_LOG_ITEM="level|name|pid", MILTER_LOG_COLORIZE="console")
    daemon = start_daemon(procs, workdir, ruby_config(), env=env)
    daemon.wait_log("[client][event-loop]")
    assert (f"[info] [milter-manager][{daemon.pid}]: \033[01;37m\033[01;46m"
            "[client][event-loop][glib]\033[00m\n") in daemon.log_text()


def test_log_item_all_has_the_location(procs, workdir):
    daemon = start_daemon(procs, workdir, ruby_config(), env=clean_env(MILTER_LOG_ITEM="all"))
    daemon.wait_log("[client][event-loop]")
    line = next(line for line in daemon.log_text().splitlines() if "[event-loop]" in line)
    assert re.fullmatch(r"\[info\]\[milter-manager\]" + TIME + rf" \[milter-manager\]\[{daemon.pid}\]"
                        r" /\S+\.py:\d+: \w+\(\): \[client\]\[event-loop\]\[glib\]", line), line


def test_invalid_environment_values_are_warned(procs, workdir):
    env = clean_env(MILTER_LOG_ITEM="bogus", MILTER_LOG_LEVEL="nope")
    daemon = start_daemon(procs, workdir, ruby_config(), "--log-path", "-", env=env,
                          verbose=False)
    out = stopped_output(daemon)
    assert "[logger][item][set][warning] unknown flag names: [<bogus>](<MilterLogItemFlags>)" \
        in out
    assert "[logger][level][set][warning] unknown flag names: [<nope>](<MilterLogLevelFlags>)" \
        in out


def test_log_path_and_level_from_the_environment(procs, workdir):
    log = workdir / "run" / "env.log"
    env = clean_env(MILTER_LOG_PATH=str(log), MILTER_LOG_LEVEL="info")
    daemon = start_daemon(procs, workdir, ruby_config(), env=env, verbose=False)
    daemon.log = log
    # --log-path given by start_daemon wins over MILTER_LOG_PATH ...
    stopped_output(daemon)
    assert not log.exists()
    config_dir = workdir / "config"
    port = free_port()
    pid_file = workdir / "run" / "env.pid"
    daemon = procs.daemon("-c", str(config_dir), "-s", f"inet:{port}@127.0.0.1",
                          "--pid-file", str(pid_file), "--user-name", "root", env=env, log=log)
    # ... and without it the environment decides.
    daemon.wait_log("[client][event-loop][glib]")


def test_event_loop_backend_option(procs, workdir):
    daemon = start_daemon(procs, workdir, ruby_config(), "--event-loop-backend", "libev")
    daemon.wait_log("[client][event-loop][libev]")
    a = procs.milter("a")
    write_config(workdir / "config", ruby_config([("a", a.spec)]))
    daemon.signal(signal.SIGHUP)
    daemon.wait_log("[manager][reload][signal][success]")
    assert session(daemon.spec) == (b"c", ["a"])


def test_config_dir_from_the_environment(procs, workdir):
    a = procs.milter("a")
    config_dir = workdir / "config"
    write_config(config_dir, ruby_config([("a", a.spec)]))
    port = free_port()
    result = run_cli("-s", f"inet:{port}@127.0.0.1", "--show-config",
                     env=clean_env(MILTER_MANAGER_CONFIG_DIR=str(config_dir)))
    assert f'milter.connection_spec = "{a.spec}"' in result.stdout


def test_ignored_arguments_are_warned_and_fatal_warnings_abort(procs, workdir):
    daemon = start_daemon(procs, workdir, ruby_config(), "stray", "--log-path", "-",
                          verbose=False)
    assert re.search(TIME + r": \[manager\]\[option\]\[ignored\] <stray>\n",
                     stopped_output(daemon))
    config_dir = workdir / "config"
    result = run_cli("-c", str(config_dir), "-s", f"inet:{free_port()}@127.0.0.1", "stray",
                     env=clean_env(MILTER_DEBUG="fatal-warnings"))
    assert result.returncode == -signal.SIGABRT


# The syslog test runs the daemon in its own mount namespace whose /dev/log
# is a socket of the test (the machine's /dev is not touched).
PRIVATE_DEV_LOG = """
set -e
mkdir -p "$ROOT/old"
mount --bind /dev "$ROOT/old"
mount -t tmpfs none /dev
for node in null zero urandom random; do
  touch "/dev/$node"; mount --bind "$ROOT/old/$node" "/dev/$node"
done
ln -s "$ROOT/log.sock" /dev/log
exec "$@"
"""


def test_syslog_ident_facility_and_statistics_prefix(procs, workdir):
    a = procs.milter("a")
    root = workdir / "syslog"
    root.mkdir()
    receiver = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    receiver.bind(str(root / "log.sock"))
    receiver.settimeout(10)
    prefix = ["unshare", "--mount", "--propagation", "private",
              "env", f"ROOT={root}", "sh", "-c", PRIVATE_DEV_LOG, "sh"]
    # [deviation] --syslog stays on although the file says use_syslog = false;
    # --syslog-facility wins over the configuration.
    daemon = start_daemon(procs, workdir, ruby_config([("a", a.spec)])
                          + 'log.syslog_facility = "daemon"\n', "--syslog",
                          "--syslog-facility", "local3", prefix=prefix, verbose=False)
    assert session(daemon.spec) == (b"c", ["a"])
    messages = []
    while not any(b"[sessions][finished]" in m for m in messages):
        messages.append(receiver.recv(65536))
    receiver.close()
    end = next(m for m in messages if b"[session][end]" in m).decode()
    # local3 (19) * 8 + notice (5) = 157; ident and pid as glibc writes them.
    assert re.fullmatch(r"<157>\w{3} [ \d]\d \d\d:\d\d:\d\d milter-manager\[(\d+)\]: "
                        r"\[statistics\] \[session\]\[end\]\[end-of-message\]\[pass\]"
                        r"\[[\d.e-]+\]\(1\)", end), end
    assert re.search(r"milter-manager\[(\d+)\]", end).group(1) == str(daemon.pid)
    assert not any(b"[client][event-loop]" in m for m in messages)   # info is below


def test_insecure_configuration_file_is_warned_once_per_load(procs, workdir):
    daemon = start_daemon(procs, workdir, ruby_config(), verbose=False)
    daemon.config_file.chmod(0o666)
    daemon.signal(signal.SIGHUP)
    line = f"[configuration][insecure] {daemon.config_file} is writable by others"
    daemon.wait_log(line)
    daemon.signal(signal.SIGHUP)
    daemon.wait_log(line, count=2)
    assert daemon.log_text().count(line) == 2
