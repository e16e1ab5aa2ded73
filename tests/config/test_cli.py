"""`milter-manager --show-config` and the command-line overrides
(config.md §13, cli.md §1–§3)."""

import pytest

from .support import clean_env, run_cli, write

MAIN = """\
manager.connection_spec = "inet:10025@[127.0.0.1]"
manager.pid_file = "/run/file.pid"
manager.unix_socket_mode = 0600
manager.unix_socket_group = "file-group"
manager.n_workers = 2
manager.event_loop_backend = "libev"
manager.max_pending_finished_sessions = 3
manager.packet_buffer_size = 4096
security.effective_user = "file-user"
security.effective_group = "file-group"
"""


def item(dump, key):
    """(location comment, value) of a section item in a dump."""
    lines = dump.split("\n")
    for index, line in enumerate(lines):
        if line.startswith(f"{key} = "):
            return lines[index - 1], line[len(key) + 3:]
    raise AssertionError(f"{key} not in dump")


@pytest.fixture
def config_dir(tmp_path):
    write(tmp_path, "milter-manager.conf", MAIN)
    return tmp_path


def show(config_dir, *options, env=None):
    result = run_cli("-c", str(config_dir), "--show-config", *options, env=env)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    return result.stdout


def test_file_values_and_locations(config_dir):
    dump = show(config_dir)
    main = config_dir / "milter-manager.conf"
    assert item(dump, "manager.connection_spec") == (f"# {main}:1", '"inet:10025@[127.0.0.1]"')
    assert item(dump, "manager.unix_socket_mode") == (f"# {main}:3", "0600")
    assert item(dump, "security.effective_group") == (f"# {main}:10", '"file-group"')


@pytest.mark.parametrize("options, key, value", [
    (["-s", "inet:2525@[127.0.0.1]"], "manager.connection_spec", '"inet:2525@[127.0.0.1]"'),
    (["--connection-spec=unix:/tmp/m.sock"], "manager.connection_spec", '"unix:/tmp/m.sock"'),
    (["--pid-file", "/run/cli.pid"], "manager.pid_file", '"/run/cli.pid"'),
    (["-u", "0"], "security.effective_user", '"root"'),
    (["--user-name", "nobody"], "security.effective_user", '"nobody"'),
    (["--user-id", "0"], "security.effective_user", '"root"'),
    (["-g", "cli-group"], "security.effective_group", '"cli-group"'),
    (["--group-name", "mail"], "security.effective_group", '"mail"'),
    (["--unix-socket-mode", "640"], "manager.unix_socket_mode", "0640"),
    (["--unix-socket-mode=ug=rw"], "manager.unix_socket_mode", "0660"),
    (["--unix-socket-group", "postfix"], "manager.unix_socket_group", '"postfix"'),
    (["--socket-group-name", "postfix"], "manager.unix_socket_group", '"postfix"'),
    (["--n-workers", "4"], "manager.n_workers", "4"),
    (["--event-loop-backend", "glib"], "manager.event_loop_backend", '"glib"'),
    (["--max-pending-finished-sessions", "0x10"], "manager.max_pending_finished_sessions",
     "16"),
    (["--packet-buffer-size", "010"], "manager.packet_buffer_size", "8"),
])
def test_command_line_wins_and_shows_default(config_dir, options, key, value):
    dump = show(config_dir, *options)
    assert item(dump, key) == ("# default", value)


@pytest.mark.parametrize("options, key, value", [
    (["--unix-socket-mode", "000"], "manager.unix_socket_mode", "0600"),   # 0: not given
    (["--event-loop-backend", "default"], "manager.event_loop_backend", '"libev"'),
])
def test_options_that_keep_the_file_value(config_dir, options, key, value):
    dump = show(config_dir, *options)
    comment, shown = item(dump, key)
    assert shown == value and comment != "# default"


def test_daemon_and_log_options_do_not_touch_the_configuration(config_dir):
    plain = show(config_dir)
    assert show(config_dir, "--daemon", "--syslog") == plain


def test_log_level_baseline(config_dir, tmp_path):
    assert item(show(config_dir, "--log-level", "error|warning"), "log.level") == (
        "# default", '"error|warning"')
    assert item(show(config_dir, "-v"), "log.level") == (
        "# default", '"critical|error|warning|message|info|debug|trace|statistics|profile"')
    env = clean_env(MILTER_LOG_LEVEL="info")
    assert item(show(config_dir, env=env), "log.level") == ("# default", '"info"')
    # A log.level written in a file wins over the baseline (cli.md §3).
    main = config_dir / "milter-manager.conf"
    main.write_text(MAIN + 'log.level = "info|debug"\n')
    assert item(show(config_dir, "--log-level=error"), "log.level") == (
        f"# {main}:11", '"info|debug"')


@pytest.mark.parametrize("options, output", [
    (["-s", "XXXX@localhost"], "-s: spec doesn't have colon: <XXXX@localhost>\n"),
    (["--n-workers", "1001"], "--n-workers: too big: <1001>: parsed=<1001>, max=<1000>\n"),
    (["--unix-socket-mode", "0660"], "--unix-socket-mode: must be at most 3 digits: <0660>\n"),
    (["--log-level", "foo"], "--log-level: unknown flag names: [<foo>](<MilterLogLevelFlags>)\n"),
    (["--pid-file"], "Missing argument for --pid-file\n"),
])
def test_option_errors_go_to_stdout(config_dir, options, output):
    result = run_cli("-c", str(config_dir), "--show-config", *options)
    assert (result.returncode, result.stdout, result.stderr) == (1, output, "")


def test_unknown_option_prints_help(config_dir):
    result = run_cli("--conf", str(config_dir), "--show-config")
    assert result.returncode == 1
    assert result.stdout.startswith("Unknown option --conf\n\nUsage:\n  milter-manager [OPTION")
    assert "  -c, --config-dir=DIRECTORY" in result.stdout


def test_version():
    result = run_cli("--version", "--bogus")
    assert (result.returncode, result.stdout) == (0, "milter-manager 2.3.2\n")


def test_ignored_arguments_are_logged(config_dir):
    result = run_cli("-c", str(config_dir), "--show-config", "extra")
    assert result.returncode == 0
    first = result.stdout.split("\n")[0]
    assert first.endswith("]: [manager][option][ignored] <extra>")
