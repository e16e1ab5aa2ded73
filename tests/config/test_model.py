"""The object model: conversions, messages and location rules (config.md §6–§10)."""

import pytest

from milter_manager.config.dumper import dump_configuration
from milter_manager.config.errors import ConfigValueError
from milter_manager.config.locations import Site
from milter_manager.config.model import Configuration
from milter_manager.config.overrides import Overrides, apply_overrides
from milter_manager.config.sections import build_defaults
from milter_manager.config.values import Opaque, StatusValue, Symbol

SITE = Site("/etc/milter-manager/milter-manager.local.conf", 3)


def error_of(action):
    with pytest.raises(ConfigValueError) as info:
        action()
    return info.value.message


@pytest.fixture
def config():
    return Configuration()


def loc(config, *key):
    return config.locations.get(key)


# --- §7 conversions, through real settings ------------------------------------

@pytest.mark.parametrize("value", [0, "false", "", Symbol("no"), 1.5])
def test_bool_uses_ruby_truthiness(config, value):
    config.manager.set("daemon", value, SITE)
    assert config.manager.daemon is True


@pytest.mark.parametrize("value", [None, False])
def test_bool_false_values(config, value):
    config.manager.set("daemon", value, SITE)
    assert config.manager.daemon is False


@pytest.mark.parametrize("value, message", [
    (1, "manager.pid_file should be a String or nil but was 1"),
    ([1], "manager.pid_file should be a String or nil but was [1]"),
    (2.5, "manager.pid_file should be a String or nil but was 2.5"),
    (Opaque("#<Object:0x0000000000000010>"),
     "manager.pid_file should be a String or nil but was #<Object:0x0000000000000010>"),
])
def test_string_type_errors(config, value, message):
    assert error_of(lambda: config.manager.set("pid_file", value, SITE)) == message


def test_symbols_become_strings(config):
    config.security.set("effective_user", Symbol("milter"), SITE)
    assert config.security.effective_user == "milter"


@pytest.mark.parametrize("name, value, message", [
    ("n_workers", 1001, "manager.n_workers should be an Integer in 0..1000 but was 1001"),
    ("n_workers", -1, "manager.n_workers should be an Integer in 0..1000 but was -1"),
    ("max_connections", "10",
     'manager.max_connections should be an Integer in 0..4294967295 but was "10"'),
    ("max_connections", True,
     "manager.max_connections should be an Integer in 0..4294967295 but was true"),
    ("max_connections", 4294967296,
     "manager.max_connections should be an Integer in 0..4294967295 but was 4294967296"),
    ("unix_socket_mode", 0o1000,
     "manager.unix_socket_mode should be an Integer in 0..511 but was 512"),
    ("unix_socket_mode", None,
     "manager.unix_socket_mode should be an Integer in 0..511 but was nil"),
    ("chunk_size", 0, "manager.chunk_size should be an Integer in 1..65535 but was 0"),
    ("max_connections", float("inf"),
     "manager.max_connections should be an Integer in 0..4294967295 but was Infinity"),
])
def test_uint_errors(config, name, value, message):
    assert error_of(lambda: config.manager.set(name, value, SITE)) == message


def test_uint_truncates_floats_and_nil_means_default(config):
    config.manager.set("max_connections", 10.9, SITE)
    assert config.manager.max_connections == 10
    config.manager.set("chunk_size", None, SITE)
    assert config.manager.chunk_size == 65535
    config.manager.set("suspend_time_on_unacceptable", None, SITE)
    assert config.manager.suspend_time_on_unacceptable == 5
    config.manager.set("maintenance_interval", None, SITE)
    assert config.manager.maintenance_interval == 0


@pytest.mark.parametrize("value, nick", [
    ("reject", "reject"), (Symbol("temporary_failure"), "temporary-failure"),
    ("TEMPORARY_FAILURE", "temporary-failure"), (StatusValue("discard"), "discard"),
])
def test_status_normalisation(config, value, nick):
    config.manager.set("fallback_status", value, SITE)
    assert config.manager.fallback_status == nick


@pytest.mark.parametrize("value, actual", [("bogus", '"bogus"'), (None, "nil"),
                                           (Symbol("skip"), ":skip"), (1, "1")])
def test_fallback_status_errors(config, value, actual):
    assert error_of(lambda: config.manager.set("fallback_status", value, SITE)) == (
        'manager.fallback_status should be one of ["accept", "reject", '
        f'"temporary-failure", "discard"] but was {actual}')


def test_fallback_status_at_disconnect_accepts_every_nick(config):
    config.manager.set("fallback_status_at_disconnect", Symbol("all_options"), SITE)
    assert config.manager.fallback_status_at_disconnect == "all-options"
    assert error_of(lambda: config.manager.set("fallback_status_at_disconnect", "x",
                                               SITE)) == (
        'manager.fallback_status_at_disconnect should be one of ["default", '
        '"not-change", "continue", "reject", "discard", "accept", "temporary-failure", '
        '"no-reply", "skip", "all-options", "progress", "abort", "quarantine", "stop", '
        '"error"] but was "x"')


def test_event_loop_backend_is_exact(config):
    config.manager.set("event_loop_backend", Symbol("libev"), SITE)
    assert config.manager.event_loop_backend == "libev"
    assert error_of(lambda: config.manager.set("event_loop_backend", "GLIB", SITE)) == (
        'manager.event_loop_backend should be one of ["default", "glib", "libev"] '
        'but was "GLIB"')


def test_privilege_mode(config):
    config.security.set("privilege_mode", "true", SITE)
    assert config.security.privilege_mode is True
    config.security.set("privilege_mode", "false", SITE)
    assert config.security.privilege_mode is False
    assert loc(config, "security", "privilege_mode") == SITE
    assert error_of(lambda: config.security.set("privilege_mode", "yes", SITE)) == (
        'security.privilege_mode should be one of [true, false] but was "yes"')
    assert error_of(lambda: config.security.set("privilege_mode", None, SITE)) == (
        "security.privilege_mode should be one of [true, false] but was nil")


def test_connection_spec_errors_name_the_key(config):
    assert error_of(lambda: config.manager.set("connection_spec", "bogus", SITE)) == (
        "manager.connection_spec: invalid connection spec: "
        "spec doesn't have colon: <bogus>")
    assert error_of(lambda: config.controller.set("connection_spec", "x:1", SITE)) == (
        "controller.connection_spec: invalid connection spec: "
        "protocol must be 'unix', 'inet' or 'inet6': <x:1>: <x>")
    egg = config.begin_egg("clamav", SITE)
    assert error_of(lambda: config.set_egg(egg, "connection_spec", "inet:1a", SITE)) == (
        "milter[clamav].connection_spec: invalid connection spec: "
        "port number has invalid character: <inet:1a>: <a>")


# --- locations (§6–§9) -----------------------------------------------------------

def test_location_rules(config):
    m = config.manager
    m.set("pid_file", "/run/x.pid", SITE)
    assert loc(config, "manager", "pid_file") == SITE
    m.set("pid_file", None, SITE)                 # reset by nil
    assert loc(config, "manager", "pid_file") is None
    m.set("daemon", False, SITE)                  # always recorded
    assert loc(config, "manager", "daemon") == SITE
    config.log.set("use_syslog", False, SITE)     # falsy resets (upstream quirk)
    assert loc(config, "log", "use_syslog") is None
    config.log.set("use_syslog", True, SITE)
    assert loc(config, "log", "use_syslog") == SITE
    config.log.set("syslog_facility", "local3", SITE)
    assert loc(config, "log", "syslog_facility") == SITE
    config.log.set("syslog_facility", "mail", SITE)
    assert loc(config, "log", "syslog_facility") is None
    config.log.set("syslog_facility", None, SITE)     # nil is recorded
    assert loc(config, "log", "syslog_facility") == SITE


@pytest.mark.parametrize("value", ["", "default", Symbol("default"), None])
def test_log_level_default_values_reset(config, value):
    config.log.set("level", "info", SITE)
    assert loc(config, "log", "level") == SITE
    config.log.set("level", value, SITE)
    assert config.log.level == 0
    assert loc(config, "log", "level") is None


def test_log_level_errors(config):
    assert error_of(lambda: config.log.set("level", "info|bogus|x", SITE)) == (
        "unknown flag names: [<bogus>|<x>](<MilterLogLevelFlags>)")
    config.log.set("level", "warning|error|critical", SITE)
    assert config.log.level_text == "critical|error|warning"


def test_syslog_facility_is_checked(config):
    config.log.set("syslog_facility", "LOCAL0", SITE)
    assert error_of(lambda: config.log.set("syslog_facility", "bogus", SITE)) == (
        'log.syslog_facility should be one of ["authpriv", "auth", "cron", "daemon", '
        '"ftp", "kern", "local0", "local1", "local2", "local3", "local4", "local5", '
        '"local6", "local7", "lpr", "mail", "news", "user", "uucp"] but was "bogus"')


def test_log_path_must_be_openable(config, tmp_path):
    config.log.set("path", str(tmp_path / "manager.log"), SITE)
    assert (tmp_path / "manager.log").exists()
    config.log.set("path", "-", SITE)
    assert config.log.path is None
    missing = tmp_path / "missing" / "x.log"
    assert error_of(lambda: config.log.set("path", str(missing), SITE)) == (
        f"failed to set log output path: <{missing}>: No such file or directory")


def test_package_options(config):
    config.package.set("options", "a=1, b = x ,flag", SITE)
    assert config.package.parsed_options() == {"a": "1", "b": "x", "flag": None}
    config.package.set("options", {"x": 1, "y": "z"}, SITE)
    assert config.package.options == "x=1,y=z"
    assert error_of(lambda: config.package.set("options", 1, SITE)) == (
        "package.options should be a String, a Hash or nil but was 1")
    assert len(config.locations) == 0               # package.* never located


# --- milters (§9) ------------------------------------------------------------------

def define(config, name, site=SITE, **items):
    egg = config.begin_egg(name, site)
    for item, value in items.items():
        config.set_egg(egg, item, value, site)
    config.commit_egg(egg)
    return egg


def test_redefinition_copies_everything_and_moves_to_the_end(config):
    define(config, "a", fallback_status="reject", evaluation_mode=True,
           command="/bin/a", command_options="start")
    define(config, "b")
    define(config, "a", enabled=False)
    assert [e.name for e in config.eggs] == ["b", "a"]
    a = config.find_egg("a")
    assert (a.fallback_status, a.evaluation_mode, a.command_options, a.enabled) == (
        "reject", True, "start", False)


def test_milter_item_rules(config):
    egg = config.begin_egg("m", SITE)
    config.set_egg(egg, "enabled", False, SITE)
    assert loc(config, "milter", "m", "enabled") == SITE
    config.set_egg(egg, "enabled", None, SITE)
    assert egg.enabled is False and loc(config, "milter", "m", "enabled") is None
    config.set_egg(egg, "command_options", ["start", "--socket", "/run/spam ass.sock"], SITE)
    assert egg.command_options == "start --socket /run/spam\\ ass.sock"
    config.set_egg(egg, "command_options", [], SITE)     # "" resets the location
    assert egg.command_options == "" and loc(config, "milter", "m", "command_options") is None
    config.set_egg(egg, "writing_timeout", 15, SITE)
    assert egg.writing_timeout == 15.0
    assert error_of(lambda: config.set_egg(egg, "reading_timeout", -1, SITE)) == (
        "milter.reading_timeout should be a non-negative number but was -1")
    assert error_of(lambda: config.set_egg(egg, "reading_timeout", None, SITE)) == (
        "milter.reading_timeout should be a non-negative number but was nil")
    assert error_of(lambda: config.set_egg(egg, "fallback_status", None, SITE)) == (
        'milter.fallback_status should be one of ["accept", "reject", '
        '"temporary-failure", "discard"] but was nil')
    config.set_egg(egg, "connection_spec", None, SITE)   # accepted as "unset"
    assert egg.connection_spec is None


def test_applicable_conditions(config):
    for name in ("S25R", "Remote Network"):
        config.commit_condition(config.begin_condition(name, SITE))
    egg = config.begin_egg("m", SITE)
    config.add_egg_condition(egg, "S25R", Site("f", 9))
    assert loc(config, "milter", "m", "applicable_condition", "S25R") == Site("f", 9)
    config.set_egg_conditions(egg, ["Remote Network", Symbol("S25R")])
    assert [c.name for c in egg.applicable_conditions] == ["Remote Network", "S25R"]
    # the old conditions' entries are reset, none recorded for the new ones
    assert loc(config, "milter", "m", "applicable_condition", "S25R") is None
    assert error_of(lambda: config.set_egg_conditions(egg, ["S25R", "Nope"])) == (
        'applicable condition should be one of ["S25R", "Remote Network"] '
        'but was ["S25R", "Nope"]')
    assert error_of(lambda: config.add_egg_condition(egg, "Nope", SITE)) == (
        'applicable condition should be one of ["S25R", "Remote Network"] but was "Nope"')
    assert error_of(lambda: config.set_egg_conditions(egg, "S25R")) == (
        'milter.applicable_conditions should be an Array but was "S25R"')
    config.set_egg_conditions(egg, None)
    assert egg.applicable_conditions == []


def test_condition_redefinition_keeps_old_objects_in_milters(config):
    first = config.begin_condition("C", SITE)
    config.set_condition_description(first, "old", SITE)
    first.data = "d"
    config.commit_condition(first)
    egg = config.begin_egg("m", SITE)
    config.add_egg_condition(egg, "C", SITE)
    second = config.begin_condition("C", SITE)
    assert (second.description, second.data) == ("old", "d")
    config.commit_condition(second)
    assert egg.applicable_conditions[0] is first
    assert config.find_applicable_condition("C") is second


def test_remove_milter_drops_its_locations(config):
    define(config, "a", description="x")
    define(config, "ab", description="y")
    config.remove_egg("a")
    assert [e.name for e in config.eggs] == ["ab"]
    assert loc(config, "milter", "a") is None
    assert loc(config, "milter", "a", "description") is None
    assert loc(config, "milter", "ab", "description") == SITE


# --- profiles, overrides, non-root rule (§3, §13) ----------------------------------

def test_profiles():
    package = build_defaults("debian-package")
    assert (package.effective_user, package.effective_group, package.unix_socket_group,
            package.pid_file) == ("milter-manager", "mail", "mail",
                                  "/run/milter-manager/milter-manager.pid")
    assert build_defaults(None).effective_user is None
    assert error_of(lambda: build_defaults("bogus")) == 'unknown defaults profile: "bogus"'


def test_overrides_reset_locations(config):
    config.manager.set("connection_spec", "inet:10025@[127.0.0.1]", SITE)
    config.manager.set("unix_socket_mode", 0o600, SITE)
    config.security.set("effective_group", "x", SITE)
    apply_overrides(config, Overrides(connection_spec="inet:2525", unix_socket_mode=0,
                                      effective_group="mail", event_loop_backend="default",
                                      packet_buffer_size=4096))
    assert config.manager.connection_spec == "inet:2525"
    assert loc(config, "manager", "connection_spec") is None
    assert config.manager.unix_socket_mode == 0o600          # 0 means "not given"
    assert loc(config, "manager", "unix_socket_mode") == SITE
    assert config.security.effective_group == "mail"
    assert loc(config, "security", "effective_group") is None
    assert config.manager.event_loop_backend == "glib"
    assert config.manager.packet_buffer_size == 4096


def test_non_root_rule_keeps_location(config):
    config.security.set("privilege_mode", True, SITE)
    config.apply_non_root_rule(1000)
    assert config.security.privilege_mode is False
    assert loc(config, "security", "privilege_mode") == SITE


# --- dump details (show-config.md §3–§4) -------------------------------------------

def test_dump_number_formats(config):
    config.manager.set("unix_socket_mode", 0, SITE)
    config.controller.set("unix_socket_mode", 0, SITE)
    config.manager.set("maintenance_interval", 0, SITE)
    egg = config.begin_egg("é\"x", SITE)
    config.set_egg(egg, "connection_timeout", 1e15, SITE)
    config.set_egg(egg, "writing_timeout", 0.0001, SITE)
    config.commit_egg(egg)
    condition = config.begin_condition("é", SITE)
    config.commit_condition(condition)
    text = dump_configuration(config)
    assert "\nmanager.unix_socket_mode = 0\n" in text
    assert "\ncontroller.unix_socket_mode = 00\n" in text
    assert "\nmanager.maintenance_interval = nil\n" in text
    assert '\ndefine_milter("é\\"x") do |milter|\n' in text          # inspect
    assert '\ndefine_applicable_condition("\\u00E9") do |condition|\n' in text   # dump
    assert "\n  milter.connection_timeout = 1.0e+15\n" in text
    assert "\n  milter.writing_timeout = 0.0001\n" in text
    config.manager.set("unix_socket_mode", 8, SITE)
    assert "\nmanager.unix_socket_mode = 010\n" in dump_configuration(config)


def test_dump_of_an_empty_configuration_ends_with_one_newline(config):
    text = dump_configuration(config)
    assert text.endswith("database.password = nil\n")
    assert text.startswith('# default\npackage.platform = "debian"\n')
