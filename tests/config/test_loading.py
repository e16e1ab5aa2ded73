"""Load cycles, load paths, the evaluation model (config.md §1–§5, §11) and
the environment variables."""

import pytest

from milter_manager.config.dumper import dump_configuration
from milter_manager.config.errors import ConfigurationError
from milter_manager.config.loader import ConfigurationLoader, LoadOptions

from .support import clean_env, run_cli, write


def loader_for(directory, **options):
    options.setdefault("env", {})
    options.setdefault("uid", 0)
    options.setdefault("custom_directory", False)
    options.setdefault("log", lambda level, message: None)
    return ConfigurationLoader(LoadOptions(load_paths=[str(d) for d in directory], **options))


def load(*directories, **options):
    return loader_for(directories, **options).startup()


def test_load_paths_globs_and_order(tmp_path):
    first, second = tmp_path / "first", tmp_path / "second"
    write(first, "milter-manager.conf", 'load("conf.d/*.conf")\nload("single.conf")\n')
    for name in ("b", "a", "c"):
        write(second, f"conf.d/{name}.conf",
              f'define_milter("{name}") do |m|\n  m.description = __FILE__\nend\n')
    write(first, "conf.d/z.conf", 'define_milter("z") do |m|\nend\n')
    write(first, "single.conf", 'manager.pid_file = "first"\n')
    write(second, "single.conf", 'manager.pid_file = "second"\n')
    config = load(first, second)
    # a relative glob collects the matches of every load path, each sorted
    assert [egg.name for egg in config.eggs] == ["z", "a", "b", "c"]
    assert config.find_egg("a").description == f"{second}/conf.d/a.conf"
    assert config.manager.pid_file == "first"            # an existing file stops the search


def test_directory_load_and_recursive_glob(tmp_path):
    write(tmp_path, "milter-manager.conf", 'load("d")\nload("tree/**/*.conf")\n')
    write(tmp_path, "d/.dot", "manager.n_workers = 1\n")
    write(tmp_path, "d/x", "manager.max_connections = 7\n")
    write(tmp_path, "tree/deep/er/m.conf", 'define_milter("deep") do |m|\nend\n')
    config = load(tmp_path)
    assert (config.manager.n_workers, config.manager.max_connections) == (1, 7)
    assert [egg.name for egg in config.eggs] == ["deep"]


def test_load_if_exist_and_load_default(tmp_path):
    write(tmp_path, "milter-manager.conf", """
        results = [load_if_exist("nope.conf"), load_if_exist("/nonexistent/x.conf"),
                   load_if_exist("yes.conf")]
        manager.pid_file = results.inspect
        package.platform = :myos
        load_default
        """)
    write(tmp_path, "yes.conf", "")
    write(tmp_path, "defaults/myos.conf", "manager.n_workers = 3\n")
    config = load(tmp_path)
    assert config.manager.pid_file == "[false, false, true]"
    assert config.manager.n_workers == 3


def test_append_load_path_lasts_for_one_cycle(tmp_path):
    extra = tmp_path / "extra"
    write(extra, "more.conf", "manager.n_workers = 5\n")
    write(tmp_path, "milter-manager.conf",
          f'configuration.append_load_path("{extra}")\nload("more.conf")\n'
          "manager.pid_file = configuration.load_paths.inspect\n")
    loader = loader_for([tmp_path])
    first = loader.startup()
    assert first.manager.pid_file == f'["{tmp_path}", "{extra}"]'
    assert loader.reload().manager.pid_file == first.manager.pid_file


def test_locals_defs_constants_and_loader_objects(tmp_path):
    write(tmp_path, "milter-manager.conf", """
        secret = 1
        LIMIT = 42
        def helper(name)
          "helped #{name}"
        end
        load("second.conf")
        manager.pid_file = defined?(leaked) ? "leaked" : "private"
        """)
    write(tmp_path, "second.conf", """
        leaked = 2
        manager.custom_configuration_directory = helper(defined?(secret) ? "bad" : "ok")
        manager.n_workers = LIMIT
        controller.unix_socket_group = self.class.name
        security.effective_user = @configuration.class.name
        """)
    config = load(tmp_path)
    assert config.manager.custom_configuration_directory == "helped ok"
    assert config.manager.pid_file == "private"
    assert config.manager.n_workers == 42
    assert config.controller.unix_socket_group == "Milter::Manager::ConfigurationLoader"
    assert config.security.effective_user == "Milter::Manager::Configuration"


def test_several_top_level_loads_get_fresh_loaders(tmp_path):
    one = write(tmp_path, "one.conf", "def shared\n  1\nend\nmanager.n_workers = shared\n")
    two = write(tmp_path, "two.conf", "manager.max_connections = shared\n")
    with pytest.raises(ConfigurationError) as info:
        load(tmp_path, files=[str(one), str(two)])
    assert str(info.value) == (f"{two}:1: undefined local variable or method 'shared' for "
                               "an instance of Milter::Manager::ConfigurationLoader (NameError)")


def test_redefinition_and_remove_milter(tmp_path):
    write(tmp_path, "milter-manager.conf", """
        define_milter("a") do |m|
          m.fallback_status = :reject
          m.command_options = ["-x", "y z"]
        end
        define_milter("b") do |m|
        end
        define_milter("a") do |m|
          m.enabled = false
        end
        remove_milter("b")
        manager.pid_file = defined_milters.inspect
        """)
    config = load(tmp_path)
    (a,) = config.eggs
    assert (a.name, a.fallback_status, a.command_options, a.enabled) == (
        "a", "reject", "-x y\\ z", False)
    assert config.manager.pid_file == '["a"]'
    assert config.locations.get(("milter", "b")) is None


def test_getters_and_condition_objects(tmp_path):
    write(tmp_path, "milter-manager.conf", """
        define_applicable_condition("C1") do |c|
          c.description = "one"
          c.description += " and more"
        end
        define_applicable_condition("C2") do |c|
        end
        define_milter("m") do |m|
          m.applicable_conditions = ["C1"]
          m.applicable_conditions += ["C2"]
          m.applicable_conditions << "ignored"
          m.reading_timeout = 60
          manager.pid_file = [m.applicable_conditions.map(&:name), m.reading_timeout,
                              m.enabled?, m.fallback_status, m.name].inspect
        end
        manager.unix_socket_group = configuration.find_egg("m").applicable_conditions.size.to_s
        manager.custom_configuration_directory = manager.fallback_status
        """)
    config = load(tmp_path)
    assert config.manager.pid_file == '[["C1", "C2"], 60.0, true, "accept", "m"]'
    assert config.manager.unix_socket_group == "2"
    assert config.manager.custom_configuration_directory == "accept"
    assert config.find_applicable_condition("C1").description == "one and more"


class Child:
    """A ChildContextHost for tests."""

    def __init__(self, name, macros=None, status="continue", sessions=1):
        self.name = name
        self.macros = dict(macros or {})
        self._status = status
        self.sessions = sessions
        self.shelf = {}

    def macro(self, name):
        return self.macros.get(name)

    def set_macro(self, name, value):
        self.macros[name] = value

    def status(self):
        return self._status

    def quitted(self):
        return False

    def children(self):
        return {self.name: self}

    def n_processing_sessions(self):
        return self.sessions

    def mail_transaction_shelf(self):
        return self.shelf


def test_stoppers_run_in_order_and_errors_count_as_false(tmp_path):
    from milter_manager.config.runtime import should_stop
    write(tmp_path, "milter-manager.conf", """
        define_applicable_condition("Broken") do |c|
          c.define_envelope_from_stopper { |context, from| nil.foo }
        end
        define_applicable_condition("From") do |c|
          c.define_envelope_from_stopper do |context, from|
            context["seen"] = from
            from == "<stop@example.com>"
          end
          c.define_body_stopper { |context, chunk| chunk == "stop" }
          c.define_data_stopper { |context| context.authenticated? }
        end
        define_milter("m") do |m|
          m.applicable_conditions = ["Broken", "From"]
        end
        """)
    logs = []
    config = load(tmp_path, log=lambda level, message: logs.append(message))
    egg = config.eggs[0]
    child = Child("m")
    assert should_stop(config, egg, "envelope_from", child, "<stop@example.com>") is True
    assert child.macros["seen"] == "<stop@example.com>"
    assert logs[0] == "NoMethodError: undefined method 'foo' for nil:"
    assert logs[1].startswith(f"{tmp_path}/milter-manager.conf:2:in ")
    assert should_stop(config, egg, "envelope_from", child, "<go@example.com>") is False
    assert should_stop(config, egg, "body", child, b"stop") is True
    assert should_stop(config, egg, "data", child) is False
    assert should_stop(config, egg, "data", Child("m", {"auth_type": "plain"})) is True
    assert should_stop(config, egg, "connect", child, "host", None) is False


def test_policies(tmp_path):
    from milter_manager.config.library.socket_address import IPv4
    from milter_manager.config.runtime import should_stop
    write(tmp_path, "milter-manager.conf", """
        define_milter("a") do |m|
        end
        define_milter("b") do |m|
        end
        define_policy("only example hosts for b") do |policy|
          policy.host = /\\.example\\.com\\z/
          policy.fqdn = "helo.example.com"
          policy.milters = ["b"]
        end
        """)
    config = load(tmp_path)
    a, b = config.eggs
    assert [c.name for c in a.applicable_conditions] == ["Policy"]
    address = IPv4("192.0.2.1", 1025)
    assert should_stop(config, b, "connect", Child("b"), "mx.example.com", address) is False
    assert should_stop(config, b, "connect", Child("b"), "mx.example.net", address) is True
    assert should_stop(config, a, "connect", Child("a"), "mx.example.net", address) is False
    assert should_stop(config, b, "helo", Child("b"), "helo.example.com") is False
    assert should_stop(config, b, "helo", Child("b"), "other") is True
    assert should_stop(config, b, "data", Child("b")) is False
    assert should_stop(config, a, "data", Child("a")) is True
    dump = dump_configuration(config)
    assert 'define_applicable_condition("Policy") do |condition|' in dump
    assert 'condition.description = "Apply policies defined by define_policy"' in dump


def test_stock_conditions_behaviour(tmp_path):
    from milter_manager.config.library.socket_address import IPv4, Unix
    from milter_manager.config.loader import data_dir
    from milter_manager.config.runtime import should_stop
    write(tmp_path, "milter-manager.conf", """
        load("applicable-conditions/*.conf")
        remote_network.add_local_address("192.0.2.0/24")
        s25r.add_whitelist { |host| host == "dynamic-1-2-3-4.white.example" }
        trust.add_envelope_from_domain(/\\Atrusted\\./)
        define_milter("m") do |m|
          m.applicable_conditions = ["Remote Network", "S25R", "Trust", "Unauthenticated"]
        end
        """)
    config = load(tmp_path, data_dir())
    egg = config.eggs[0]
    remote, local = IPv4("198.51.100.7", 2525), IPv4("192.0.2.7", 2525)
    dynamic = "p1234-ipad12abc.example.ne.jp"
    assert should_stop(config, egg, "connect", Child("m"), dynamic, remote) is False
    assert should_stop(config, egg, "connect", Child("m"), dynamic, local) is True
    assert should_stop(config, egg, "connect", Child("m"), dynamic, Unix("/s")) is True
    assert should_stop(config, egg, "connect", Child("m"), "mail.example.com", remote) is True
    assert should_stop(config, egg, "connect", Child("m"), "[198.51.100.7]", remote) is False
    assert should_stop(config, egg, "connect", Child("m"),
                       "dynamic-1-2-3-4.white.example", remote) is True
    child = Child("m")
    assert should_stop(config, egg, "envelope_from", child, "<u@trusted.example>") is False
    assert child.macros["trusted_domain"] == "yes"
    assert should_stop(config, egg, "envelope_from", Child("m", {"auth_authen": "u"}),
                       "<u@example.com>") is True


def test_custom_xml_is_loaded_after_the_main_file(tmp_path):
    write(tmp_path, "milter-manager.conf", 'define_milter("m") do |m|\nend\n')
    write(tmp_path, "milter-manager.custom.conf",
          "<configuration><milters><milter><name>m</name>\n"
          "<description>from XML</description></milter></milters></configuration>\n")
    config = load(tmp_path)
    assert config.eggs[0].description == "from XML"
    assert config.locations.get(("milter", "m", "description")) == (
        f"{tmp_path}/milter-manager.custom.conf", 2)


def test_insecure_files_are_logged_once(tmp_path):
    main = write(tmp_path, "milter-manager.conf", 'load("x.conf")\nload("x.conf")\n')
    write(tmp_path, "x.conf", "").chmod(0o666)
    logs = []
    load(tmp_path, log=lambda level, message: logs.append(message))
    assert logs == [f"[configuration][insecure] {tmp_path}/x.conf is writable by others"]
    assert main.exists()


def test_custom_configuration_directory(tmp_path):
    custom = tmp_path / "custom"
    write(tmp_path, "etc/milter-manager.conf",
          f'security.effective_user = "root"\nmanager.custom_configuration_directory = '
          f'"{custom}"\nload_if_exist("site.conf")\n')
    loader = loader_for([tmp_path / "etc"], custom_directory=True)
    config = loader.startup()
    assert custom.is_dir() and (custom.stat().st_mode & 0o777) == 0o700
    assert config.load_paths == [str(tmp_path / "etc"), str(custom)]
    write(custom, "site.conf", "manager.n_workers = 9\n")
    assert loader.reload().manager.n_workers == 9


def test_environment_variables(tmp_path):
    write(tmp_path, "milter-manager.conf", "")
    env = clean_env(MILTER_MANAGER_CONFIG_DIR=str(tmp_path),
                    MILTER_MANAGER_DEFAULTS_PROFILE="debian-package",
                    MILTER_LOG_LEVEL="warning|error",
                    MILTER_LOG_PATH=str(tmp_path / "log"))
    result = run_cli("--show-config", env=env)
    assert result.returncode == 0, result.stderr
    dump = result.stdout
    assert '# default\nsecurity.effective_user = "milter-manager"\n' in dump
    assert '# default\nmanager.pid_file = "/run/milter-manager/milter-manager.pid"\n' in dump
    assert '# default\nlog.level = "error|warning"\n' in dump
    assert f'# default\nlog.path = "{tmp_path}/log"\n' in dump


def test_invalid_log_level_variable_is_ignored_with_a_warning(tmp_path):
    write(tmp_path, "milter-manager.conf", "")
    result = run_cli("-c", str(tmp_path), "--show-config",
                     env=clean_env(MILTER_LOG_LEVEL="loud"))
    assert result.returncode == 0
    first, rest = result.stdout.split("\n", 1)
    assert first.endswith("]: [logger][level][set][warning] unknown flag names: "
                          "[<loud>](<MilterLogLevelFlags>)")
    assert '# default\nlog.level = "default"\n' in rest


def test_unopenable_log_path_variable_is_ignored_with_a_warning(tmp_path):
    write(tmp_path, "milter-manager.conf", "")
    missing = tmp_path / "missing" / "x.log"
    result = run_cli("-c", str(tmp_path), "--show-config",
                     env=clean_env(MILTER_LOG_PATH=str(missing)))
    assert result.returncode == 0
    first, rest = result.stdout.split("\n", 1)
    assert first.endswith(f"]: [logger][path][set][warning] failed to set log output path: "
                          f"<{missing}>: No such file or directory")
    assert "# default\nlog.path = nil\n" in rest


def test_dsl_objects_inspect_as_their_class(tmp_path):
    write(tmp_path, "milter-manager.conf", """
        define_milter("m") do |m|
          manager.pid_file = [m, self, configuration, manager, log].map(&:inspect).join(" ")
        end
        manager.unix_socket_group = configuration.eggs.inspect
        """)
    config = load(tmp_path)
    assert config.manager.pid_file == (
        "#<Milter::Manager::ConfigurationLoader::EggConfigurationLoader> "
        "#<Milter::Manager::ConfigurationLoader> #<Milter::Manager::Configuration> "
        "#<Milter::Manager::ConfigurationLoader::ManagerConfigurationLoader> "
        "#<Milter::Client::ConfigurationLoader::LogConfigurationLoader>")
    assert config.manager.unix_socket_group == "[#<Milter::Manager::Egg>]"
