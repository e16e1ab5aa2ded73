"""The Milter library objects as configuration code sees them
(ruby-subset.md §9) and the runtime API around them (config.md §8.2, §10.3)."""

import pytest

from milter_manager.config.errors import ConfigurationError
from milter_manager.config.library.socket_address import IPv4, Unix
from milter_manager.config.loader import ConfigurationLoader, LoadOptions
from milter_manager.config.runtime import (
    EventLoopHandle,
    is_connected,
    run_event_loop_created_hooks,
    run_maintained_hooks,
    should_stop,
)

from .support import write
from .test_loading import Child


class Logs(list):
    def __call__(self, level, message):
        self.append((level, message))

    def enabled(self, level):
        return level != 64                  # everything but debug


def load(tmp_path, text, logs=None):
    write(tmp_path, "milter-manager.conf", text)
    options = LoadOptions(load_paths=[str(tmp_path)], custom_directory=False, uid=0,
                          env={}, log=logs if logs is not None else Logs())
    return ConfigurationLoader(options).startup()


def values(tmp_path, expression, **kwargs):
    """Evaluate EXPRESSION in a configuration file; its inspect lands in pid_file."""
    config = load(tmp_path, f"manager.pid_file = ({expression}).inspect\n", **kwargs)
    return config.manager.pid_file


@pytest.mark.parametrize("expression, inspected", [
    ("[Milter::Status::ACCEPT.nick, Milter::STATUS_TEMPORARY_FAILURE.to_s]",
     '["accept", "temporary-failure"]'),
    ("Milter::Status::REJECT", "#<Milter::Status reject>"),
    ("Milter::Status::DISCARD == Milter::STATUS_DISCARD", "true"),
    (('a = Milter::SocketAddress::IPv4.new("192.0.2.1", 25)\n'
     "[a.to_s, a.address, a.port, a.local?, a.ipv4?, a.unix?, a.to_ip_address.to_s]"),
     '["inet:25@[192.0.2.1]", "192.0.2.1", 25, false, true, false, "192.0.2.1"]'),
    ('a = Milter::SocketAddress::IPv6.new("0:0:0::1", 2525)\n[a.to_s, a.local?]',
     '["inet6:2525@[::1]", true]'),
    (('u = Milter::SocketAddress::Unix.new("/run/s")\n'
     "[u.to_s, u.path, u.local?, u.to_ip_address, Milter::SocketAddress::Unknown.new.to_s]"),
     '["unix:/run/s", "/run/s", true, nil, "unknown"]'),
    (('m = Milter::Manager::AddressMatcher.new\nm.add_local_address("198.51.100.0/24")\n'
     'm.add_remote_address(IPAddr.new("10.1.0.0/16"))\n'
     'ip = ->(a) { Milter::SocketAddress::IPv4.new(a, 1) }\n'
     '[m.local_address?(ip.("198.51.100.9")), m.remote_address?(ip.("10.1.2.3")),\n'
     ' m.remote_address?(ip.("10.2.2.3")), m.remote_address?(ip.("203.0.113.1")),\n'
     ' m.remote_address?(Milter::SocketAddress::Unix.new("/s")),\n'
     ' m.remote_address?(Milter::SocketAddress::Unknown.new)]'),
     "[true, true, false, true, false, false]"),
])
def test_library_values(tmp_path, expression, inspected):
    assert values(tmp_path, expression) == inspected


def test_status_objects_as_fallback_status(tmp_path):
    config = load(tmp_path, 'define_milter("m") do |m|\n'
                  "  m.fallback_status = Milter::Status::TEMPORARY_FAILURE\nend\n"
                  "manager.fallback_status = Milter::Status::REJECT\n")
    assert config.eggs[0].fallback_status == "temporary-failure"
    assert config.manager.fallback_status == "reject"


REGEXP_TABLE = """\
# comment
/^mx\\d+\\.example\\.com$/   OK mx $0?
if /\\.example\\.org$/
!/^good\\./              REJECT not good
/^(good)\\.(.+)$/         OK ${1}+$(2)$$
  endif
/^CASE$/i               EXACT
/^case$/                FOLDED
/^multi/                FIRST
  LINE
"""


def test_postfix_regexp_table(tmp_path):
    write(tmp_path, "table", REGEXP_TABLE)
    expression = (f't = Milter::Manager::PostfixRegexpTable.new\n'
                  f'File.open("{tmp_path}/table") {{ |f| t.parse(f) }}\n'
                  '["mx12.example.com", "bad.example.org", "good.example.org", "CASE",'
                  ' "Case", "multi", "nothing"].map { |h| t.find(h) }')
    assert values(tmp_path, expression) == (
        '["OK mx mx12.example.com?", "REJECT not good", "OK good+example.org$", "EXACT", "FOLDED", '
        '"FIRST LINE", nil]')


@pytest.mark.parametrize("table, message", [
    ("/a/ OK\nendif\n", "TABLE:2: endif isn't matched"),
    ("/a/\n", "TABLE:1: invalid format </a/>"),
    ("nonsense here\n", "TABLE:1: invalid format <nonsense here>"),
    ("/a(/ OK\n", ("TABLE:1: invalid regular expression: end pattern with unmatched "
                  "parenthesis: <a(>: </a(/ OK>")),
])
def test_postfix_regexp_table_errors(tmp_path, table, message):
    write(tmp_path, "table", table)
    text = (f't = Milter::Manager::PostfixRegexpTable.new\n'
            f'File.open("{tmp_path}/table") {{ |f| t.parse(f) }}\n')
    with pytest.raises(ConfigurationError) as info:
        load(tmp_path, text)
    assert info.value.message == message.replace("TABLE", f"{tmp_path}/table")


def test_postfix_cidr_table(tmp_path):
    write(tmp_path, "cidr", "192.0.2.0/24  LOCAL\n2001:db8::/32 V6\n0.0.0.0/0 ANY\n")
    expression = (f't = Milter::Manager::PostfixCIDRTable.new\n'
                  f'File.open("{tmp_path}/cidr") {{ |f| t.parse(f) }}\n'
                  '[t.find("192.0.2.77"), t.find(IPAddr.new("2001:db8::1")),'
                  ' t.find(Milter::SocketAddress::IPv4.new("8.8.8.8", 1))]')
    assert values(tmp_path, expression) == '["LOCAL", "V6", "ANY"]'
    write(tmp_path, "cidr", "999.0.0.1 X\n")
    with pytest.raises(ConfigurationError) as info:
        load(tmp_path, f'Milter::Manager::PostfixCIDRTable.new.parse(File.open("{tmp_path}/cidr"))\n')
    assert info.value.message == (f"{tmp_path}/cidr:1: invalid address: 999.0.0.1: "
                                  "<999.0.0.1>: <999.0.0.1 X>")


def test_logger(tmp_path):
    logs = Logs()
    load(tmp_path, 'Milter::Logger.warning("one\\ntwo")\n'
                   'Milter::Logger.debug { raise "never evaluated: debug is off" }\n'
                   "Milter::Logger.error { 42 }\n"
                   "Milter::Logger.info(nil)\n", logs)
    assert logs == [(8, "one"), (8, "two"), (4, "42"), (32, "")]


def test_child_context_and_shelf(tmp_path):
    config = load(tmp_path, """
        define_applicable_condition("C") do |c|
          c.define_envelope_from_stopper do |context, from|
            shelf = context.mail_transaction_shelf
            shelf[:seen] = [from, {"n" => 1}]
            copy = shelf["seen"]
            copy << "not stored"
            context["{result}"] = [context.name, context["i"], context.postfix?,
                                   context.children.keys, context.reject?,
                                   shelf["seen"], context.n_processing_sessions].inspect
            begin
              shelf["bad"] = Object.new
            rescue TypeError => e
              context["error"] = e.message
            end
            false
          end
        end
        define_milter("m") do |m|
          m.applicable_conditions = ["C"]
        end
        """)
    child = Child("m", {"i": "ABC", "v": "Postfix 3.7.11"}, status="reject", sessions=3)
    assert should_stop(config, config.eggs[0], "envelope_from", child, "<a@b>") is False
    assert child.macros["result"] == ('["m", "ABC", true, ["m"], true, '
                                      '["<a@b>", {"n"=>1}], 3]')
    assert child.macros["error"] == "can't store Object in the mail transaction shelf"


class Checked:
    def __init__(self, client, server, macros=None):
        self.smtp_client_address = client
        self.smtp_server_address = server
        self.macros = macros or {}

    def macro(self, name):
        return self.macros.get(name)


def test_connection_checkers(tmp_path):
    logs = Logs()
    config = load(tmp_path, """
        manager.define_connection_checker("broken") { |context| nil.foo }
        manager.define_connection_checker("by-name") do |context|
          context.smtp_server_name != "gone" && context.smtp_client_address.ipv4?
        end
        """, logs)
    client, server = IPv4("192.0.2.1", 40000), IPv4("127.0.0.1", 10025)
    assert is_connected(config, Checked(client, server, {"v": "Postfix"})) is True
    assert is_connected(config, Checked(client, server, {"v": "gone"})) is False
    assert is_connected(config, Checked(Unix("/s"), server)) is False
    assert logs[0] == (4, "NoMethodError: undefined method 'foo' for nil:")


def test_netstat_checker_registration(tmp_path):
    config = load(tmp_path, "manager.use_netstat_connection_checker(7)\n")
    assert config.manager.connection_check_interval == 7
    site = config.locations.get(("manager", "connection_check_interval"))
    assert site.file.endswith("/milter_manager/config/library/bindings.py") and site.line > 0
    assert list(config.connection_checkers) == ["netstat"]
    # a remote MTA connection cannot be checked: always "connected"
    assert is_connected(config, Checked(IPv4("192.0.2.1", 1), IPv4("192.0.2.9", 25)))


def test_hooks(tmp_path):
    logs = Logs()
    config = load(tmp_path, """
        calls = []
        manager.maintained { calls << :block; Milter::Logger.message(calls.inspect) }
        manager.maintained(-> { raise "hook failed" })
        manager.event_loop_created do |loop|
          n = 0
          loop.add_timeout(1.5) { n += 1; Milter::Logger.message("tick #{n}"); n < 2 }
        end
        manager.report_memory_statistics
        """, logs)
    run_maintained_hooks(config)
    messages = [message for _, message in logs]
    assert messages[0] == "[:block]"
    assert messages[1] == "RuntimeError: hook failed:"
    assert any(m.startswith("[maintain][memory] (") and m.endswith(" GLib::Object:0")
               for m in messages)
    timeouts = []
    run_event_loop_created_hooks(config, EventLoopHandle(
        lambda seconds, again: timeouts.append((seconds, again)), lambda again: None))
    ((seconds, again),) = timeouts
    assert seconds == 1.5
    assert again() is True and again() is False
    assert [m for _, m in logs if m.startswith("tick")] == ["tick 1", "tick 2"]


def test_database_section(tmp_path):
    config = load(tmp_path, """
        database.type = "mysql2"
        database.port = 3306
        database.extra_options[:reconnect] = true
        manager.pid_file = database.extra_options.inspect
        """)
    assert config.manager.pid_file == "{:reconnect=>true}"
    assert config.database.inspect_of("port") == "3306"
    with pytest.raises(ConfigurationError) as info:
        load(tmp_path, 'database.type = :mysql2\ndatabase.setup\n')
    assert info.value.message == "database.name should be set"
    with pytest.raises(ConfigurationError) as info:
        load(tmp_path, 'database.type = "sqlite3"\ndatabase.setup\n')
    assert info.value.message == ("database support (ActiveRecord) is not available in "
                                  "this implementation")


def test_configuration_clear(tmp_path):
    config = load(tmp_path, """
        database.name = "x"
        manager.maintained { }
        configuration.clear
        """)
    assert config.maintained_hooks == [] and config.database.name is None
    assert config.locations.get(("database", "name")) is not None


def test_restrict_accounts_by_list(tmp_path):
    from milter_manager.config.loader import data_dir
    write(tmp_path, "milter-manager.conf", """
        load("applicable-conditions/restrict-accounts.conf")
        define_milter("a") do |m|
        end
        restrict_accounts_by_list("alice@example.com", /@example\\.org\\z/)
        """)
    options = LoadOptions(load_paths=[str(tmp_path), data_dir()], custom_directory=False,
                          uid=0, env={}, log=Logs())
    config = ConfigurationLoader(options).startup()
    (egg,) = config.eggs
    name = 'Restrict Accounts by List: ["alice@example.com", /@example\\.org\\z/]'
    assert [c.name for c in egg.applicable_conditions] == [name]
    child = Child("a")
    assert should_stop(config, egg, "envelope_recipient", child, "<alice@example.com>") is False
    assert should_stop(config, egg, "envelope_recipient", child, "<bob@example.org>") is False
    assert should_stop(config, egg, "data", child) is False
    assert should_stop(config, egg, "envelope_recipient", child, "<eve@example.net>") is True
    assert should_stop(config, egg, "data", child) is True
