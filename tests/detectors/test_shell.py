"""Shell-variable extraction, option parameters and spec normalisation
(detectors.md §6, §8.1, §8.2), on the spec's own examples."""

import pytest

from milter_manager.config.detectors.shell import (
    extract_variables,
    normalize,
    normalize_connection_spec,
    param,
)


@pytest.mark.parametrize(("line", "name", "value"), [
    # detectors.md §6.3 (table before: NAME=dkim-filter, RUNDIR=/var/run/dkim-filter)
    ("SOCKET=local:$RUNDIR/$NAME.sock", "SOCKET",
     "local:/var/run/dkim-filter/dkim-filter.sock"),
    ('SOCKET="inet:12345@192.0.2.1" # listen on 192.0.2.1', "SOCKET", "inet:12345@192.0.2.1"),
    ('CLAMAVCONF="$1"', "CLAMAVCONF", None),
    ("RETVAL=$?", "RETVAL", "$?"),
    ('[ -z "$PIDFILE" ] && PIDFILE=/var/run/x.pid', "PIDFILE", "/var/run/x.pid"),
    ("export TMPDIR=/var/tmp", "TMPDIR", "/var/tmp"),
    ("A=1 B=2", "A", "1"),
])
def test_spec_examples(line, name, value):
    table = {"NAME": "dkim-filter", "RUNDIR": "/var/run/dkim-filter"}
    extract_variables(line + "\n", table, None)
    assert table.get(name) == value


def test_only_the_first_assignment_of_a_line():
    table = {}
    extract_variables("A=1 B=2\n", table, None)
    assert "B" not in table


def test_last_assignment_wins_without_shell_semantics():
    # detectors.md §6: the Debian spamass-milter script sets SOCKET twice.
    table = {}
    extract_variables('SOCKET=/var/run/spamass/spamass.sock\n'
                      'if [ -x /usr/sbin/postfix ]; then\n'
                      '    SOCKET="/var/spool/postfix/spamass/spamass.sock"\n'
                      'fi\n', table, None)
    assert table["SOCKET"] == "/var/spool/postfix/spamass/spamass.sock"


def test_positional_value_keeps_the_previous_one():
    table = {"CONF": "/etc/a.conf"}
    extract_variables("CONF=$2\n", table, None)
    assert table["CONF"] == "/etc/a.conf"


def test_hash_cuts_even_inside_quotes():
    table = {}
    extract_variables('SOCKET="unix:/run/a#b"\n', table, None)
    # the line is cut at `#`: `"unix:/run/a` has no closing quote, so `\S*` takes it
    assert table["SOCKET"] == '"unix:/run/a'


@pytest.mark.parametrize(("text", "expected"), [
    ("X=${DIR}/s\n", "/d/s"),
    ("X='$DIR/s'\n", "/d/s"),               # expansion in single quotes too
    ("X=${DIR/s\n", "${DIR/s"),             # unbalanced braces: kept
    ("X=$DIR}/s\n", "$DIR}/s"),
    ("X=$UNSET/s\n", "$UNSET/s"),           # unknown variable: kept
    ("X=$DIR_sock\n", "$DIR_sock"),         # greedy name: DIR_sock is unset
    ("X=$name.sock\n", "spfmilter.sock"),   # `name` is the detector's name
    ("X=\n", ""),
    ('X="a b"\n', "a b"),
    ("X='a b'\n", "a b"),
    ("X=\"a'\n", "\"a'"),                   # different quotes: not removed
])
def test_normalize_value(text, expected):
    table = {"DIR": "/d"}
    extract_variables(text, table, "spfmilter")
    assert table["X"] == expected


def test_name_unknown_before_detection_keeps_the_reference():
    table = {}
    extract_variables("X=$name.sock\n", table, None)
    assert table["X"] == "$name.sock"


def test_lower_case_names_are_not_variables():
    table = {}
    extract_variables("socket=/x\nfooBAR=1\n", table, None)
    assert table == {}


@pytest.mark.parametrize(("flags", "option", "expected"), [
    (None, "-p", None),
    ("-p inet:1@localhost", "-p", "inet:1@localhost"),
    ("-p a -u x -p b", "-p", "b"),                 # the last occurrence
    ("-pinet:1@x", "-p", "inet:1@x"),
    ("-p=unix:/s", "-p", "unix:/s"),
    ("-pa -pb", "-p", "b"),
    ("-u x -p", "-p", None),                       # nothing after the option
    ("-p $SOCKET", "-p", None),                    # an unexpanded variable
    ("-pidfile /run/x.pid", "-p", "idfile"),       # `-p` prefixes `-pidfile`
    ("-p 'unix:/a b'", "-p", "unix:/a b"),         # shell quoting
    ('-p "unix:/a', "-p", None),                   # [deviation] unmatched quote
    ("-x /etc/opendkim.conf", "-p", None),
])
def test_param(flags, option, expected):
    assert param(flags, option) == expected


@pytest.mark.parametrize(("spec", "expected"), [
    ("/run/a.sock", "unix:/run/a.sock"),
    ("local:local:/x", "local:/x"),
    ("unix:local:/x", "local:/x"),
    ("local:unix:/x", "unix:/x"),
    ("unix:/x", "unix:/x"),
    ("inet:25@localhost", "inet:25@localhost"),
])
def test_normalize_connection_spec(spec, expected):
    assert normalize_connection_spec(spec) == expected


def test_normalize():
    assert normalize(None) is None
    assert normalize("  ") is None
    assert normalize(" unix:/x \n") == "unix:/x"
