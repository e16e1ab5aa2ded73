"""Broken configurations: `milter-manager --show-config` exits 1, prints
nothing on stdout and exactly the error line of config.md §14.2 on stderr."""

import pytest

from .support import clean_env, run_cli, write

FALLBACKS = '["accept", "reject", "temporary-failure", "discard"]'

# (name, {file: text}, expected error line with D for the directory)
CASES = [
    ("syntax-missing-end", {"milter-manager.conf": 'define_milter("a") do |milter|\n'},
     "D/milter-manager.conf:1:31: syntax error, unexpected end-of-input"),
    ("syntax-unterminated-string", {"milter-manager.conf": 'manager.pid_file = "/run/x\n'},
     "D/milter-manager.conf:1:20: unterminated string meets end of file"),
    ("syntax-unexpected-token", {"milter-manager.conf": "manager.daemon = true\nx = (1 + )\n"},
     "D/milter-manager.conf:2:10: syntax error, unexpected ')'"),
    ("unknown-directive", {"milter-manager.conf": "\nbogus_directive\n"},
     ("D/milter-manager.conf:2: undefined local variable or method 'bogus_directive' for "
     "an instance of Milter::Manager::ConfigurationLoader (NameError)")),
    ("unknown-setting", {"milter-manager.conf": "manager.bogus = 1\n"},
     ("D/milter-manager.conf:1: undefined method 'bogus=' for an instance of "
     "Milter::Manager::ConfigurationLoader::ManagerConfigurationLoader (NoMethodError)")),
    ("bad-fallback-status", {"milter-manager.conf": 'manager.fallback_status = "bogus"\n'},
     (f'D/milter-manager.conf:1: manager.fallback_status should be one of {FALLBACKS} '
     'but was "bogus"')),
    ("bad-event-loop-backend", {"milter-manager.conf": "manager.event_loop_backend = :epoll\n"},
     ('D/milter-manager.conf:1: manager.event_loop_backend should be one of '
     '["default", "glib", "libev"] but was :epoll')),
    ("bad-privilege-mode", {"milter-manager.conf": 'security.privilege_mode = "yes"\n'},
     ('D/milter-manager.conf:1: security.privilege_mode should be one of [true, false] '
     'but was "yes"')),
    ("bad-log-level", {"milter-manager.conf": 'log.level = "info|bogus"\n'},
     "D/milter-manager.conf:1: unknown flag names: [<bogus>](<MilterLogLevelFlags>)"),
    ("bad-manager-spec",
     {"milter-manager.conf": 'manager.connection_spec = "inet:10025@[127.0.0.1"\n'},
     ("D/milter-manager.conf:1: manager.connection_spec: invalid connection spec: "
     "']' is missing: <inet:10025@[127.0.0.1>: <[127.0.0.1>")),
    ("bad-controller-spec", {"milter-manager.conf": 'controller.connection_spec = "tcp:2929"\n'},
     ("D/milter-manager.conf:1: controller.connection_spec: invalid connection spec: "
     "protocol must be 'unix', 'inet' or 'inet6': <tcp:2929>: <tcp>")),
    ("bad-milter-spec", {"milter-manager.conf": 'define_milter("m") do |milter|\n'
                         '  milter.connection_spec = "inet:99999"\nend\n'},
     ("D/milter-manager.conf:2: milter[m].connection_spec: invalid connection spec: "
     "port number should be less than 65536: <inet:99999>: <99999>")),
    ("bad-type-string", {"milter-manager.conf": "manager.pid_file = 1\n"},
     "D/milter-manager.conf:1: manager.pid_file should be a String or nil but was 1"),
    ("bad-range", {"milter-manager.conf": "manager.n_workers = 1001\n"},
     "D/milter-manager.conf:1: manager.n_workers should be an Integer in 0..1000 but was 1001"),
    ("bad-mode-nil", {"milter-manager.conf": "manager.unix_socket_mode = nil\n"},
     ("D/milter-manager.conf:1: manager.unix_socket_mode should be an Integer in 0..511 "
     "but was nil")),
    ("bad-timeout", {"milter-manager.conf": 'define_milter("m") do |milter|\n'
                     "  milter.writing_timeout = -1\nend\n"},
     ("D/milter-manager.conf:2: milter.writing_timeout should be a non-negative number "
     "but was -1")),
    ("bad-conditions-type", {"milter-manager.conf": 'define_milter("m") do |milter|\n'
                             '  milter.applicable_conditions = "S25R"\nend\n'},
     'D/milter-manager.conf:2: milter.applicable_conditions should be an Array but was "S25R"'),
    ("unknown-condition", {"milter-manager.conf":
                           'define_applicable_condition("A") do |c|\nend\n'
                           'define_milter("m") do |milter|\n'
                           '  milter.add_applicable_condition("Nope")\nend\n'},
     'D/milter-manager.conf:4: applicable condition should be one of ["A"] but was "Nope"'),
    ("milter-name-type", {"milter-manager.conf": "define_milter(:foo) do |milter|\nend\n"},
     "D/milter-manager.conf:1: define_milter name should be a String but was :foo"),
    ("condition-name-type", {"milter-manager.conf": "define_applicable_condition(1) do |c|\nend\n"},
     "D/milter-manager.conf:1: define_applicable_condition name should be a String but was 1"),
    ("no-block", {"milter-manager.conf": 'define_milter("x")\n'},
     "D/milter-manager.conf:1: no block given (yield) (LocalJumpError)"),
    ("bad-package-options", {"milter-manager.conf": "package.options = 1\n"},
     "D/milter-manager.conf:1: package.options should be a String, a Hash or nil but was 1"),
    ("missing-loaded-file", {"milter-manager.conf": '\n\nload("nonexistent.conf")\n'},
     "D/milter-manager.conf:3: nonexistent.conf doesn't exist."),
    ("error-in-nested-load", {"milter-manager.conf": 'load("sub.conf")\n',
                              "sub.conf": "manager.daemon = true\n\nmanager.chunk_size = 0\n"},
     "D/sub.conf:3: manager.chunk_size should be an Integer in 1..65535 but was 0"),
    ("syntax-error-in-nested-load", {"milter-manager.conf": 'load("sub/*.conf")\n',
                                     "sub/a.conf": "if true\n"},
     "D/sub/a.conf:1:8: syntax error, unexpected end-of-input"),
    ("missing-file-in-nested-load", {"milter-manager.conf": 'load_if_exist("sub.conf")\n',
                                     "sub.conf": '\nload("gone.conf")\n'},
     "D/sub.conf:2: gone.conf doesn't exist."),
    ("recursive-load", {"milter-manager.conf": 'load("sub.conf")\n',
                        "sub.conf": 'load("milter-manager.conf")\n'},
     "D/sub.conf:1: recursive load: D/milter-manager.conf"),
    ("raise", {"milter-manager.conf": 'raise "boom"\n'},
     "D/milter-manager.conf:1: boom (RuntimeError)"),
    ("error-inside-def", {"milter-manager.conf": "def helper\n  nil.foo\nend\nhelper\n"},
     "D/milter-manager.conf:2: undefined method 'foo' for nil (NoMethodError)"),
    ("require-unknown", {"milter-manager.conf": 'require "nonexistent"\n'},
     "D/milter-manager.conf:1: cannot load such file -- nonexistent (LoadError)"),
    ("database-setup", {"milter-manager.conf": "database.setup\n"},
     "D/milter-manager.conf:1: database.type should be set"),
    ("zero-division", {"milter-manager.conf": "manager.n_workers = 1 / 0\n"},
     "D/milter-manager.conf:1: divided by 0 (ZeroDivisionError)"),
    ("multi-line-call-site", {"milter-manager.conf": 'define_milter("m") do |milter|\n'
                              "  milter.fallback_status =\n    \"bogus\" +\n    \"x\"\nend\n"},
     (f'D/milter-manager.conf:2: milter.fallback_status should be one of {FALLBACKS} '
     'but was "bogusx"')),
    ("log-path", {"milter-manager.conf": 'log.path = "/nonexistent-dir/x.log"\n'},
     ("D/milter-manager.conf:1: failed to set log output path: </nonexistent-dir/x.log>: "
     "No such file or directory")),
    ("bad-xml-custom-file", {"milter-manager.conf": "",
                             "milter-manager.custom.conf": "<configuration>\n<bogus/>\n"
                                                           "</configuration>\n"},
     "D/milter-manager.custom.conf:2: unexpected element: /configuration/bogus"),
]


@pytest.mark.parametrize("name, files, expected", CASES, ids=[c[0] for c in CASES])
def test_broken_configuration(tmp_path, name, files, expected):
    for file, text in files.items():
        path = tmp_path / file
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)                 # as given: line numbers matter
    result = run_cli("-c", str(tmp_path), "--show-config")
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr == expected.replace("D/", f"{tmp_path}/") + "\n"


def test_invalid_utf8(tmp_path):
    (tmp_path / "milter-manager.conf").write_bytes(b'manager.pid_file = "a\xff"\n')
    result = run_cli("-c", str(tmp_path), "--show-config")
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr == (f"{tmp_path}/milter-manager.conf:1:22: "
                             "invalid multibyte char (UTF-8)\n")


def test_missing_main_file(tmp_path):
    result = run_cli("-c", str(tmp_path), "--show-config")
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr == ("path milter-manager.conf doesn't exist in load path "
                             f'(["{tmp_path}", "/etc/milter-manager"])\n')


def test_unknown_defaults_profile(tmp_path):
    write(tmp_path, "milter-manager.conf", "")
    result = run_cli("-c", str(tmp_path), "--show-config",
                     env=clean_env(MILTER_MANAGER_DEFAULTS_PROFILE="bogus"))
    assert (result.returncode, result.stdout, result.stderr) == (
        1, "", 'unknown defaults profile: "bogus"\n')


def test_nothing_is_half_applied(tmp_path):
    """A failed reload leaves the committed configuration untouched."""
    from milter_manager.config.errors import ConfigurationError
    from milter_manager.config.loader import ConfigurationLoader, LoadOptions
    main = write(tmp_path, "milter-manager.conf", 'manager.pid_file = "/run/a.pid"\n')
    loader = ConfigurationLoader(LoadOptions(config_dir=str(tmp_path), uid=0,
                                             custom_directory=False, env={}))
    first = loader.startup()
    main.write_text('manager.pid_file = "/run/b.pid"\ndefine_milter("m") do |m|\n'
                    "  m.reading_timeout = -5\nend\n")
    with pytest.raises(ConfigurationError) as info:
        loader.reload()
    assert str(info.value) == (f"{main}:3: milter.reading_timeout should be a "
                               "non-negative number but was -5")
    assert first.manager.pid_file == "/run/a.pid" and first.eggs == []
