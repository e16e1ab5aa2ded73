"""The command line as an admin types it (cli.md §1, §2, §16): every error
text of §1.2–§1.4 with its exit status and stream, the help layouts of §2
(read from the spec itself), `--version`, and GOption's reading of argv."""

from __future__ import annotations

import pytest

from .support import SHARED, clean_env, run_cli

SPEC = SHARED / "spec" / "cli.md"


def spec_block(heading: str) -> str:
    """The first fenced block after HEADING in cli.md."""
    text = SPEC.read_text()
    rest = text[text.index("\n" + heading):]
    return rest.split("```", 2)[1].split("\n", 1)[1]


# --- §1.2–§1.4: each error is one line on stdout, exit status 1 -----------------------

ERRORS = [
    (["-s", "XXXX@localhost"], "-s: spec doesn't have colon: <XXXX@localhost>"),
    (["--connection-spec=inet:99999"],
     "--connection-spec: port number should be less than 65536: <inet:99999>: <99999>"),
    (["--connection-spec", "tcp:25"],
     "--connection-spec: protocol must be 'unix', 'inet' or 'inet6': <tcp:25>: <tcp>"),
    (["--log-level", "foo"], "--log-level: unknown flag names: [<foo>](<MilterLogLevelFlags>)"),
    (["--log-level", "info|bar|baz"],
     "--log-level: unknown flag names: [<bar>|<baz>](<MilterLogLevelFlags>)"),
    (["--log-path", "/nonexistent/dir/x.log"],
     ("--log-path: failed to set log output path: </nonexistent/dir/x.log>: "
     "No such file or directory")),
    (["--syslog-facility", "bogus"], "--syslog-facility: unknown syslog facility: <bogus>"),
    (["--user-id", "abc"], "--user-id: invalid integer value: <abc>(>a<bc)"),
    (["--user-id", "99999"], "--user-id: invalid UID: <99999>(99999)"),
    (["--group-id", "99999"], "--group-id: invalid GID: <99999>(99999)"),
    (["--group-id", "0x"], "--group-id: invalid integer value: <0x>(0>x<)"),
    (["--n-workers", "12ab"], "--n-workers: invalid integer value: <12ab>(12>a<b)"),
    (["--n-workers", "1001"], "--n-workers: too big: <1001>: parsed=<1001>, max=<1000>"),
    (["--n-workers", "-1"], "--n-workers: must be larger than 0 or equal to 0: <-1>: parsed=<-1>"),
    (["--event-loop-backend", "foo"],
     "--event-loop-backend: unknown event loop backend: <foo> available values: [glib|libev]"),
    (["--packet-buffer-size", "-1"],
     "--packet-buffer-size: must be larger than 0 or equal to 0: <-1>: parsed=<-1>"),
    (["--packet-buffer-size", "4294967296"],
     "--packet-buffer-size: too big: <4294967296>: parsed=<4294967296>, max=<4294967295>"),
    (["--max-pending-finished-sessions", "0x100000000"],
     ("--max-pending-finished-sessions: too big: <0x100000000>: parsed=<4294967296>, "
     "max=<4294967295>")),
    (["--max-pending-finished-sessions", "-2"],
     "--max-pending-finished-sessions: must be larger than 0 or equal to 0: <-2>: parsed=<-2>"),
    (["--unix-socket-mode", "0660"], "--unix-socket-mode: must be at most 3 digits: <0660>"),
    (["--unix-socket-mode", "68"], "--unix-socket-mode: must be 0-7: '8': <68>"),
    (["--unix-socket-mode", "ug"], "--unix-socket-mode: set mode '=' is missing: <ug>"),
    (["--unix-socket-mode", "u+rw"], "--unix-socket-mode: set mode must be '=': '+': <u+rw>"),
    (["--unix-socket-mode", "o="], "--unix-socket-mode: mode 'r', 'w' or 'x' is missing: <o=>"),
    (["--unix-socket-mode", "u=rwx,g=r"],
     "--unix-socket-mode: mode must be 'r', 'w' or 'x': ',': <u=rwx,g=r>"),
    (["--unix-socket-mode", "8"], "--unix-socket-mode: invalid character: '8': <8>"),
    (["--unix-socket-mode", "x=r"], "--unix-socket-mode: invalid character: 'x': <x=r>"),
    (["--pid-file"], "Missing argument for --pid-file"),
    (["-s"], "Missing argument for -s"),
]


@pytest.mark.parametrize("args, line", ERRORS, ids=[" ".join(a) for a, _ in ERRORS])
def test_option_error(args, line):
    result = run_cli(*args)
    assert (result.returncode, result.stdout, result.stderr) == (1, line + "\n", "")


def test_unknown_option_prints_the_help():
    result = run_cli("--nonexistent")
    help_text = run_cli("--help").stdout
    assert result.returncode == 1
    assert result.stdout == "Unknown option --nonexistent\n\n" + help_text


@pytest.mark.parametrize("arg", ["--conf", "--config", "--daemon=yes", "-x", "-vx"])
def test_no_abbreviations_and_no_stray_values(arg):
    result = run_cli(arg)
    assert result.returncode == 1
    assert result.stdout.startswith(f"Unknown option {arg}\n\nUsage:\n")


def test_the_first_invalid_option_in_order_is_reported():
    assert run_cli("--n-workers", "x", "--nonexistent").stdout == \
        "--n-workers: invalid integer value: <x>(>x<)\n"
    assert run_cli("--nonexistent", "--n-workers", "x").stdout.startswith(
        "Unknown option --nonexistent\n")
    assert run_cli("--n-workers", "2000", "--log-level", "foo").stdout == \
        "--n-workers: too big: <2000>: parsed=<2000>, max=<1000>\n"


def test_a_value_option_takes_the_next_argument_even_with_a_dash():
    # GOption: `--log-level -info` is the relative level, not an unknown option.
    result = run_cli("--log-level", "-nosuch", "--version")
    assert result.stdout == "--log-level: unknown flag names: [<nosuch>](<MilterLogLevelFlags>)\n"


def test_short_option_with_attached_value():
    assert run_cli("-sXXXX").stdout == "-s: spec doesn't have colon: <XXXX>\n"


# --- §2: --version and the help layouts ------------------------------------------------

def test_version_is_processed_when_reached():
    result = run_cli("--version", "--n-workers", "x", "--nonexistent")
    assert (result.returncode, result.stdout, result.stderr) == (0, "milter-manager 2.3.2\n", "")


def _layout(output: str) -> list[str]:
    """The help text with the description column cut off; checks column 50."""
    lines = []
    for line in output.split("\n"):
        if line.startswith("  -"):
            assert len(line) > 49 and line[49] != " " and line[48] == " ", line
            lines.append(line[:49].rstrip())
        else:
            lines.append(line)
    return lines


@pytest.mark.parametrize("args, heading", [
    (["--help"], "### 2.3"), (["-h"], "### 2.3"), (["-?"], "### 2.3"),
    (["--help-all"], "### 2.4"), (["--help-milter"], "### 2.5"),
])
def test_help_layout_matches_the_spec(args, heading):
    result = run_cli(*args, env=clean_env(LANG="C.UTF-8"))
    assert result.returncode == 0 and result.stderr == ""
    assert _layout(result.stdout) == spec_block(heading).split("\n")


def test_help_ellipsis_depends_on_the_locale():
    assert "  milter-manager [OPTION…]\n" in run_cli("--help", env=clean_env(LANG="C.UTF-8")).stdout
    assert "  milter-manager [OPTION...]\n" in run_cli("--help", env=clean_env(LANG="C")).stdout


def test_help_is_processed_when_reached():
    result = run_cli("--help", "--n-workers", "x")
    assert result.returncode == 0 and result.stdout.startswith("Usage:\n")
    assert run_cli("--n-workers", "x", "--help").returncode == 1
