"""Round trip of generated configurations (show-config.md §6): build a
configuration through the object model, dump it, load the dump, dump again."""

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from milter_manager.config.dumper import dump_configuration
from milter_manager.config.loader import ConfigurationLoader, LoadOptions
from milter_manager.config.locations import Site
from milter_manager.config.log_level import FLAGS
from milter_manager.config.model import Configuration
from milter_manager.config.sections import SYSLOG_FACILITIES
from milter_manager.config.values import (
    EVENT_LOOP_BACKENDS,
    FALLBACK_STATUSES,
    STATUS_NICKS,
)

SITE = Site("/generated/milter-manager.conf", 1)
UINT_MAX = 4294967295

# Text with everything the dumper must escape: quotes, backslashes, `#{`,
# control characters, non-ASCII, astral characters.
text = st.text(alphabet=st.sampled_from(list("ab Z09_-./:@\"\\#{}$@\n\t\x00\x07\x1b\x7féß€😀\u2028")),
               max_size=12)
optional_text = st.none() | text
specs = st.one_of(
    st.builds(lambda p: f"unix:/run/{p}.sock", st.text("abc-_", min_size=1, max_size=8)),
    st.builds(lambda p: f"inet:{p}@[127.0.0.1]", st.integers(0, 65535)),
    st.builds(lambda p: f"inet6:{p}@[::1]", st.integers(0, 65535)),
    st.builds(lambda p: f"inet:{p}", st.integers(0, 65535)),
)
uint = st.integers(0, UINT_MAX)
seconds = st.floats(0, 1e20, allow_nan=False, allow_infinity=False) | st.integers(0, 10**6)
levels = st.sets(st.sampled_from([name for name, _ in FLAGS]), min_size=1).map("|".join)
condition_names = st.lists(st.text(alphabet="ABc é\"#{\\", min_size=1, max_size=6),
                           unique=True, max_size=4)


@st.composite
def configurations(draw):
    config = Configuration()
    m, c, s, log = config.manager, config.controller, config.security, config.log
    config.package.set("platform", draw(optional_text), SITE)
    config.package.set("options", draw(st.none() | st.just("a=1,b")), SITE)
    s.set("privilege_mode", draw(st.booleans()), SITE)
    s.set("effective_user", draw(optional_text), SITE)
    s.set("effective_group", draw(optional_text), SITE)
    log.set("level", draw(st.none() | levels), SITE)
    log.set("use_syslog", draw(st.booleans()), SITE)
    log.set("syslog_facility", draw(st.none() | st.sampled_from(SYSLOG_FACILITIES)), SITE)
    m.set("connection_spec", draw(st.none() | specs), SITE)
    m.set("unix_socket_mode", draw(st.integers(0, 0o777)), SITE)
    for name in ("unix_socket_group", "pid_file", "custom_configuration_directory"):
        m.set(name, draw(optional_text), SITE)
    for name in ("remove_unix_socket_on_create", "remove_unix_socket_on_close", "daemon"):
        m.set(name, draw(st.booleans()), SITE)
    for name in ("maintenance_interval", "suspend_time_on_unacceptable", "max_connections",
                 "max_file_descriptors", "packet_buffer_size", "connection_check_interval",
                 "max_pending_finished_sessions"):
        m.set(name, draw(uint), SITE)
    m.set("n_workers", draw(st.integers(0, 1000)), SITE)
    m.set("chunk_size", draw(st.integers(1, 65535)), SITE)
    m.set("fallback_status", draw(st.sampled_from(FALLBACK_STATUSES)), SITE)
    m.set("fallback_status_at_disconnect", draw(st.sampled_from(STATUS_NICKS)), SITE)
    m.set("event_loop_backend", draw(st.sampled_from(EVENT_LOOP_BACKENDS)), SITE)
    c.set("connection_spec", draw(st.none() | specs), SITE)
    c.set("unix_socket_mode", draw(st.integers(0, 0o777)), SITE)
    c.set("unix_socket_group", draw(optional_text), SITE)
    for name in ("remove_unix_socket_on_create", "remove_unix_socket_on_close"):
        c.set(name, draw(st.booleans()), SITE)
    for name in ("type", "name", "host", "port", "path", "user", "password"):
        config.database.set(name, draw(st.none() | text | st.integers(0, 70000)), SITE)
    names = draw(condition_names)
    for name in names:
        condition = config.begin_condition(name, SITE)
        config.set_condition_description(condition, draw(optional_text), SITE)
        config.commit_condition(condition)
    for milter in draw(st.lists(text.filter(bool), unique=True, max_size=3)):
        egg = config.begin_egg(milter, SITE)
        config.set_egg(egg, "connection_spec", draw(st.none() | specs), SITE)
        for name in ("description", "command", "command_options", "user_name"):
            config.set_egg(egg, name, draw(optional_text), SITE)
        for name in ("enabled", "evaluation_mode"):
            config.set_egg(egg, name, draw(st.booleans()), SITE)
        config.set_egg(egg, "fallback_status", draw(st.sampled_from(FALLBACK_STATUSES)), SITE)
        for name in ("connection_timeout", "writing_timeout", "reading_timeout",
                     "end_of_message_timeout"):
            config.set_egg(egg, name, draw(seconds), SITE)
        config.set_egg_conditions(egg, draw(st.lists(st.sampled_from(names), max_size=3))
                                  if names else [])
        config.commit_egg(egg)
    return config


def load_dump(text_, path):
    path.write_text(text_)
    options = LoadOptions(load_paths=[str(path.parent)], files=[str(path)],
                          custom_directory=False, uid=0, env={})
    return dump_configuration(ConfigurationLoader(options).startup())


def without_comments(dump):
    return [line for line in dump.split("\n") if not line.lstrip().startswith("#")]


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                 HealthCheck.function_scoped_fixture])
@given(configurations())
def test_generated_configuration_round_trips(tmp_path_factory, config):
    directory = Path(tmp_path_factory.mktemp("dump"))
    path = directory / "milter-manager.conf"
    first = dump_configuration(config)
    second = load_dump(first, path)
    assert without_comments(second) == without_comments(first)
    assert load_dump(second, path) == second
