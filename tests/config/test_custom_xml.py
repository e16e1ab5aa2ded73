"""The XML custom configuration (config.md §15) and to_xml (§15.1)."""

import pytest

from milter_manager.config.custom_xml import XMLError, load_custom_xml, to_xml
from milter_manager.config.errors import ConfigValueError
from milter_manager.config.locations import Site
from milter_manager.config.model import Configuration


@pytest.fixture
def config():
    config = Configuration()
    for name in ("S25R", "Remote Network"):
        config.commit_condition(config.begin_condition(name, Site("/c.conf", 1)))
    return config


def load(config, tmp_path, text, warnings=None):
    path = tmp_path / "milter-manager.custom.conf"
    path.write_text(text)
    return load_custom_xml(config, str(path), (warnings if warnings is not None else []).append)


def failure(config, tmp_path, text):
    with pytest.raises(ConfigValueError) as info:
        load(config, tmp_path, text)
    return f"{info.value.site.line}: {info.value.message}"


FULL = """<?xml version="1.0"?>
<configuration xmlns:x="urn:example">
  <security>
    <privilege-mode>true</privilege-mode>
    <effective-user>milter</effective-user>
  </security>
  <manager>
    <unix-socket-mode>0600</unix-socket-mode>
    <daemon>false</daemon>
    <n-workers>4</n-workers>
    <fallback-status>reject</fallback-status>
  </manager>
  <controller>
    <connection-spec>inet:2929@[127.0.0.1]</connection-spec>
  </controller>
  <milters>
    <milter>
      <name>clamav</name>
      <x:description>ClamAV</x:description>
      <enabled>false</enabled>
      <connection-spec>inet:3310@[127.0.0.1]</connection-spec>
      <command>/etc/init.d/clamav</command>
      <fallback-status>temporary-failure</fallback-status>
      <evaluation-mode>true</evaluation-mode>
      <applicable-conditions>
        <applicable-condition>S25R</applicable-condition>
      </applicable-conditions>
    </milter>
  </milters>
</configuration>
"""


def test_full_file(config, tmp_path):
    assert load(config, tmp_path, FULL) is True
    path = str(tmp_path / "milter-manager.custom.conf")
    assert config.security.privilege_mode is True
    assert config.locations.get(("security", "privilege_mode")) == Site(path, 4)
    assert config.manager.unix_socket_mode == 0o600          # 0600 is octal
    assert config.manager.n_workers == 4
    assert config.manager.daemon is False
    assert config.manager.fallback_status == "reject"
    assert config.controller.connection_spec == "inet:2929@[127.0.0.1]"
    (egg,) = config.eggs
    assert (egg.name, egg.description, egg.enabled, egg.connection_spec, egg.command,
            egg.command_options, egg.fallback_status, egg.evaluation_mode) == (
        "clamav", "ClamAV", False, "inet:3310@[127.0.0.1]", "/etc/init.d/clamav", None,
        "temporary-failure", True)
    assert [c.name for c in egg.applicable_conditions] == ["S25R"]
    assert config.locations.get(("milter", "clamav")) == Site(path, 17)
    assert config.locations.get(("milter", "clamav", "description")) == Site(path, 19)


def test_milter_merges_and_absent_list_clears_conditions(config, tmp_path):
    egg = config.begin_egg("clamav", None)
    config.set_egg(egg, "description", "kept", None)
    config.set_egg(egg, "command_options", "start", None)
    config.add_egg_condition(egg, "S25R", None)
    config.commit_egg(egg)
    load(config, tmp_path, "<configuration><milters><milter><name>clamav</name>"
                           "<command>/x</command></milter></milters></configuration>")
    egg = config.find_egg("clamav")
    assert egg.description == "kept"
    assert egg.command == "/x" and egg.command_options is None
    assert egg.applicable_conditions == []


def test_not_xml_is_ignored_with_a_warning(config, tmp_path):
    warnings = []
    assert load(config, tmp_path, "manager.daemon = true\n", warnings) is False
    path = tmp_path / "milter-manager.custom.conf"
    assert warnings == [f"[configuration][custom][ignore] <{path}>: not an XML file"]


@pytest.mark.parametrize("text, error", [
    ("<manager/>", "1: root element must be <configuration>"),
    ("<configuration>\n<bogus/></configuration>", "2: unexpected element: /configuration/bogus"),
    ("<configuration><manager>\n<name>x</name></manager></configuration>",
     "2: unexpected element: /configuration/manager/name"),
    ("<configuration><milters>\n<egg/></milters></configuration>",
     "2: unexpected element: /configuration/milters/egg"),
    ("<configuration><milters><milter>\n<target-hosts/></milter></milters></configuration>",
     ('2: unexpected element: /configuration/milters/milter/target_hosts: available '
     'elements: ["name", "description", "enabled", "connection_spec", "command", '
     '"command_options", "fallback_status", "evaluation_mode"]')),
    (("<configuration><milters>\n<milter><enabled>true</enabled></milter></milters>"
     "</configuration>"), "2: milter name is missing"),
    ("<configuration>\n<manager>\n<daemon>yes</daemon></manager></configuration>",
     '3: manager.daemon should be one of ["true", "false"] but was "yes"'),
    ("<configuration><manager>\n\n<n-workers>many</n-workers></manager></configuration>",
     '3: manager.n_workers should be an Integer in 0..1000 but was "many"'),
    (("<configuration><manager><fallback-status>x</fallback-status></manager>"
     "</configuration>"),
     ('1: manager.fallback_status should be one of ["accept", "reject", '
     '"temporary-failure", "discard"] but was "x"')),
    (("<configuration><milters><milter><name>m</name>\n<applicable-conditions>"
     "<applicable-condition>Nope</applicable-condition></applicable-conditions>"
     "</milter></milters></configuration>"),
     '2: applicable condition should be one of ["S25R", "Remote Network"] but was ["Nope"]'),
    ("<configuration>\n<manager></configuration>", "2: invalid XML: mismatched tag"),
])
def test_errors(config, tmp_path, text, error):
    assert failure(config, tmp_path, text) == error


def test_xml_error_type():
    assert issubclass(XMLError, ConfigValueError)


def test_to_xml(config, tmp_path):
    assert to_xml(Configuration()) == "<configuration>\n</configuration>\n"
    egg = config.begin_egg("a&b", None)
    config.set_egg(egg, "description", "<\"x'>", None)
    config.set_egg(egg, "connection_spec", "inet:1@[127.0.0.1]", None)
    config.add_egg_condition(egg, "S25R", None)
    config.commit_egg(egg)
    config.find_applicable_condition("S25R").description = "Selective\x01"
    assert to_xml(config) == (
        "<configuration>\n"
        "  <applicable-conditions>\n"
        "    <applicable-condition>\n"
        "      <name>S25R</name>\n"
        "      <description>Selective&#x1;</description>\n"
        "    </applicable-condition>\n"
        "    <applicable-condition>\n"
        "      <name>Remote Network</name>\n"
        "    </applicable-condition>\n"
        "  </applicable-conditions>\n"
        "  <milters>\n"
        "    <milter>\n"
        "      <name>a&amp;b</name>\n"
        "      <description>&lt;&quot;x&apos;&gt;</description>\n"
        "      <enabled>true</enabled>\n"
        "      <fallback-status>accept</fallback-status>\n"
        "      <evaluation-mode>false</evaluation-mode>\n"
        "      <connection-spec>inet:1@[127.0.0.1]</connection-spec>\n"
        "      <applicable-conditions>\n"
        "        <applicable-condition>S25R</applicable-condition>\n"
        "      </applicable-conditions>\n"
        "    </milter>\n"
        "  </milters>\n"
        "</configuration>\n")
