"""The Debian detector on fixture roots, through the stock configuration
(upstream's files and ours): every candidate of defaults/debian.conf, every
place a connection spec comes from, enabling, commands, descriptions and
INIT INFO parsing (detectors.md §1–§8)."""

import pytest

from milter_manager.config.errors import ConfigurationError

from .support import (
    SYSTEMCTL,
    Link,
    build_root,
    conditions,
    load_stock,
    milters,
    script,
)

STOCK = pytest.mark.parametrize("stock", ["upstream", "own"])
DEFAULT_TIMEOUTS = (297.0, 7.0, 7.0, 297.0)
GREYLIST_CONDITIONS = ["Sendmail Compatible", "Stress Notify", "Trust", "Remote Network",
                       "S25R", "Unauthenticated"]
SPAM_CONDITIONS = ["Remote Network", "Unauthenticated", "No Stress"]


def init_script(body: str, info: str = "") -> tuple[str, int]:
    head = "#!/bin/sh\n"
    if info:
        head += "### BEGIN INIT INFO\n" + info + "### END INIT INFO\n"
    return script(head + "\n" + body)


def detect(stock, tmp_path, files, local=None):
    root = build_root(tmp_path / "root", files)
    config, logged = load_stock(stock, root, tmp_path, local)
    return milters(config), config, logged


# --- every candidate of debian.conf, with its conditions (§1) ---------------------------

CANDIDATES = [
    ("milter-greylist", GREYLIST_CONDITIONS),
    ("spfmilter", SPAM_CONDITIONS),
    ("clamav-milter", []),
    ("dkim-filter", []),
    ("opendkim", []),
    ("spamass-milter", SPAM_CONDITIONS),
    ("amavisd-new-milter", []),
    ("rspamd", SPAM_CONDITIONS),
]


@STOCK
def test_every_candidate_through_its_init_script(stock, tmp_path):
    files = {f"/etc/init.d/{name}": init_script(f"SOCKET=/run/{name}/{name}.sock\n")
             for name, _ in CANDIDATES}
    found, config, _ = detect(stock, tmp_path, files)
    assert [egg.name for egg in config.eggs] == [name for name, _ in CANDIDATES]
    for name, expected in CANDIDATES:
        egg = found[name]
        assert egg.connection_spec == f"unix:/run/{name}/{name}.sock", name
        assert egg.enabled is True
        assert egg.command == f"/etc/init.d/{name}"
        assert egg.command_options == "start"
        assert conditions(egg) == expected, name
        assert (egg.connection_timeout, egg.writing_timeout, egg.reading_timeout,
                egg.end_of_message_timeout) == DEFAULT_TIMEOUTS
        assert (egg.fallback_status, egg.evaluation_mode, egg.user_name) == \
            ("accept", False, None)
    assert config.security.privilege_mode is True


@STOCK
def test_every_candidate_through_its_systemd_unit(stock, tmp_path):
    files = dict(SYSTEMCTL)
    for name, _ in CANDIDATES:
        files[f"/lib/systemd/system/{name}.service"] = f"""
            [Unit]
            Description=the {name} unit
            [Service]
            EnvironmentFile=-/etc/default/{name}
            ExecStart=/usr/sbin/{name} $OPTIONS
            """
        files[f"/etc/default/{name}"] = f"SOCKET=inet:{1000 + len(name)}@[127.0.0.1]\n"
        files[f"/etc/systemd/system/multi-user.target.wants/{name}.service"] = \
            Link(f"/lib/systemd/system/{name}.service")
    found, _config, _ = detect(stock, tmp_path, files)
    assert sorted(found) == sorted(name for name, _ in CANDIDATES)
    for name, expected in CANDIDATES:
        egg = found[name]
        assert egg.connection_spec == f"inet:{1000 + len(name)}@[127.0.0.1]"
        assert egg.description == f"the {name} unit"
        assert (egg.command, egg.command_options) == ("/usr/bin/systemctl", f"start {name}")
        assert egg.enabled is True
        assert conditions(egg) == expected


@STOCK
def test_empty_root_defines_nothing(stock, tmp_path):
    found, config, logged = detect(stock, tmp_path, {})
    assert found == {}
    assert config.security.privilege_mode is True
    assert not any("[detector]" in message for message in logged)


# --- init sub-detector (§5) ------------------------------------------------------------------

@STOCK
@pytest.mark.parametrize(("body", "spec"), [
    ("SOCKET=/run/s.sock\n", "unix:/run/s.sock"),
    ("SOCKFILE=/run/f.sock\n", "unix:/run/f.sock"),
    ('CONNECTION_SPEC="inet:3333@localhost"\n', "inet:3333@localhost"),
    ('OPTARGS="-u x -p inet:1@localhost"\n', "inet:1@localhost"),
    ('DAEMON_ARGS="-p local:/run/d.sock -f"\n', "local:/run/d.sock"),
    ('PARAMS="-q -p /var/lib/amavis/amavisd-milter.sock"\n',
     "unix:/var/lib/amavis/amavisd-milter.sock"),
    # first non-nil in the order of §5: SOCKET before SOCKFILE before ... PARAMS
    ("PARAMS='-p /run/p'\nSOCKFILE=/run/f\nSOCKET=/run/s\n", "unix:/run/s"),
    ("PARAMS='-p /run/p'\nDAEMON_ARGS='-p /run/d'\nOPTARGS='-p /run/o'\n", "unix:/run/o"),
    ("PARAMS='-p /run/p'\nDAEMON_ARGS='-u nobody'\n", "unix:/run/p"),
    ("SOCKET=\"  \"\nSOCKFILE=/run/f\n", "unix:/run/f"),      # blank: nil
    ("RUNDIR=/run/x\nSOCKET=local:$RUNDIR/$NAME.sock\nNAME=spfmilter\n",
     "local:/run/x/$NAME.sock"),                              # NAME not yet set
    ("NAME=spfmilter\nSOCKET=local:/run/$NAME.sock\n", "local:/run/spfmilter.sock"),
    ("SOCKET=unix:local:/run/s\n", "local:/run/s"),
])
def test_init_socket_forms(stock, tmp_path, body, spec):
    found, _, _ = detect(stock, tmp_path, {"/etc/init.d/spfmilter": init_script(body)})
    assert found["spfmilter"].connection_spec == spec


@STOCK
def test_init_without_spec_is_defined_with_the_default_spec(stock, tmp_path):
    found, config, _ = detect(stock, tmp_path, {
        "/etc/init.d/spfmilter": init_script("DAEMON=/usr/sbin/spfmilter\n")})
    egg = found["spfmilter"]
    assert egg.connection_spec is None
    assert config.locations.get(("milter", "spfmilter", "connection_spec")) is None
    assert egg.enabled is True


@STOCK
def test_etc_default_overrides_the_script(stock, tmp_path):
    found, _, _ = detect(stock, tmp_path, {
        "/etc/init.d/spamass-milter": init_script(
            "NAME=spamass\nSOCKET=/run/script.sock\n"),
        # the defaults file is the candidate's; `$name` is the detected name
        "/etc/default/spamass-milter": "SOCKET=/run/$name/default.sock\nENABLED=1\n",
    })
    assert found["spamass-milter"].connection_spec == "unix:/run/spamass/default.sock"


@STOCK
@pytest.mark.parametrize(("enabled_line", "enabled"), [
    ("ENABLED=0\n", False), ("ENABLED=1\n", True), ("ENABLED=no\n", True),
    ('ENABLED="0"\n', False), ("", True),
])
def test_init_enabled_variable(stock, tmp_path, enabled_line, enabled):
    found, _, _ = detect(stock, tmp_path, {
        "/etc/init.d/spfmilter": init_script("SOCKET=/run/s\n"),
        "/etc/default/spfmilter": enabled_line})
    # a readable script always defines the milter, enabled or not (§3)
    assert found["spfmilter"].enabled is enabled


@STOCK
def test_init_description_and_name(stock, tmp_path):
    found, _, _ = detect(stock, tmp_path, {
        # INIT INFO wins over DESC
        "/etc/init.d/spfmilter": init_script(
            'DESC="from DESC"\nSOCKET=/run/s\n',
            "# Provides:          spfmilter\n"
            "# Description:       SPF milter\n"
            "#                    for Postfix\n"),
        # INIT INFO after a blank line is not in the first comment block: DESC
        "/etc/init.d/dkim-filter": script(
            "#!/bin/sh\n# a comment\n\n### BEGIN INIT INFO\n# Description: not this\n"
            "### END INIT INFO\nDESC='DKIM from DESC'\nSOCKET=/run/d\n"),
        # neither: no description
        "/etc/init.d/opendkim": init_script("SOCKET=/run/o\n"),
    })
    assert found["spfmilter"].description == "SPF milter for Postfix"
    assert found["dkim-filter"].description == "DKIM from DESC"
    assert found["opendkim"].description is None


@STOCK
def test_init_info_keys_split_anywhere(stock, tmp_path):
    # §5: the split is not anchored; `see:` inside a value starts a new key.
    found, _, _ = detect(stock, tmp_path, {
        "/etc/init.d/spfmilter": init_script(
            "SOCKET=/run/s\n",
            "# Provides: spfmilter\n# Description: milter, see: the manual\n")})
    assert found["spfmilter"].description == "milter,"


@STOCK
def test_shebang_with_option_and_invalid_utf8(stock, tmp_path):
    found, _, _ = detect(stock, tmp_path, {
        "/etc/init.d/spfmilter": ((b"#!/bin/sh -e\n### BEGIN INIT INFO\n"
                                  b"# Description: caf\xe9 milter\n### END INIT INFO\n"
                                  b"SOCKET=/run/\xff.sock\n"), 0o755)})
    egg = found["spfmilter"]
    # `-e` is left as the first line: the first comment block is empty
    assert egg.description is None
    assert egg.connection_spec == "unix:/run/\ufffd.sock"


@STOCK
def test_symbolic_links_are_followed_inside_the_root(stock, tmp_path):
    found, _, _ = detect(stock, tmp_path, {
        "/opt/scripts/spf": init_script("SOCKET=/run/linked.sock\n"),
        "/etc/init.d/spfmilter": Link("/opt/scripts/spf"),       # re-rooted
        "/etc/default/spfmilter": Link("../../opt/defaults/spf"),
        "/opt/defaults/spf": "SOCKFILE=/unused\nSOCKET=/run/via-default.sock\n",
    })
    assert found["spfmilter"].connection_spec == "unix:/run/via-default.sock"
    assert found["spfmilter"].command == "/etc/init.d/spfmilter"      # un-rooted


@STOCK
def test_unreadable_or_directory_script_defines_nothing(stock, tmp_path):
    root = tmp_path / "root"
    (root / "etc/init.d/spfmilter").mkdir(parents=True)
    config, _ = load_stock(stock, root, tmp_path)
    assert config.eggs == []


# --- clamav-milter (§7.1) ------------------------------------------------------------

@STOCK
@pytest.mark.parametrize(("variables", "conf_path"), [
    ("CLAMAVCONF=/etc/clamav/clamav-milter.conf\n", "/etc/clamav/clamav-milter.conf"),
    ("CLAMAVMILTERCONF=/etc/clamav/other.conf\n", "/etc/clamav/other.conf"),
    ("CLAMAVCONF=/etc/clamav-milter.conf\nCLAMAVMILTERCONF=/etc/x\n",
     "/etc/clamav-milter.conf"),
    ("CLAMAVMILTERCONF=\n", None),         # set but empty: wins, reads nothing
])
def test_clamav_init_reads_milter_socket(stock, tmp_path, variables, conf_path):
    files = {"/etc/init.d/clamav-milter": init_script(variables + "SOCKET=/run/generic\n")}
    if conf_path is not None:
        files[conf_path] = ("# comment\nMilterSocket /var/run/clamav/clamav-milter.ctl  \r\n"
                            "FixStaleSocket true\n")
    found, _, _ = detect(stock, tmp_path, files)
    expected = ("unix:/var/run/clamav/clamav-milter.ctl" if conf_path
                else "unix:/run/generic")
    assert found["clamav-milter"].connection_spec == expected
    assert found["clamav-milter"].enabled is True


@STOCK
def test_clamav_example_line_disables(stock, tmp_path):
    found, _, _ = detect(stock, tmp_path, {
        "/etc/init.d/clamav-milter": init_script("CLAMAVCONF=/etc/clamav/clamav-milter.conf\n"),
        "/etc/clamav/clamav-milter.conf": "Example\nMilterSocket inet:7357@localhost\n"})
    assert found["clamav-milter"].enabled is False
    assert found["clamav-milter"].connection_spec == "inet:7357@localhost"


@STOCK
def test_old_clamav_uses_the_generic_variables(stock, tmp_path):
    # CLAMAVCONF without "clamav-milter": clamav < 0.95, its config is not read
    found, _, _ = detect(stock, tmp_path, {
        "/etc/init.d/clamav-milter": init_script(
            "CLAMAVCONF=/etc/clamav/clamd.conf\nSOCKET=/run/old.sock\n"),
        "/etc/clamav/clamd.conf": "Example\nMilterSocket /run/not-this\n"})
    assert found["clamav-milter"].connection_spec == "unix:/run/old.sock"
    assert found["clamav-milter"].enabled is True


@STOCK
@pytest.mark.parametrize(("exec_start", "conf"), [
    ("/usr/sbin/clamav-milter --config-file=/x -c /etc/clamav/alt.conf",
     "/etc/clamav/alt.conf"),
    ("/usr/sbin/clamav-milter", "/etc/clamav/clamav-milter.conf"),
])
def test_clamav_systemd(stock, tmp_path, exec_start, conf):
    files = dict(SYSTEMCTL)
    files.update({
        "/lib/systemd/system/clamav-milter.service":
            f"[Unit]\nDescription=ClamAV\n[Service]\nExecStart={exec_start}\n",
        "/etc/systemd/system/multi-user.target.wants/clamav-milter.service": "",
        conf: "MilterSocket /run/clamav/milter.ctl\n"})
    found, _, _ = detect(stock, tmp_path, files)
    egg = found["clamav-milter"]
    assert egg.connection_spec == "unix:/run/clamav/milter.ctl"
    assert (egg.command, egg.command_options) == ("/usr/bin/systemctl", "start clamav-milter")


@STOCK
def test_clamav_systemd_example_falls_back_to_init(stock, tmp_path):
    files = dict(SYSTEMCTL)
    files.update({
        "/lib/systemd/system/clamav-milter.service":
            "[Service]\nExecStart=/usr/sbin/clamav-milter\n",
        "/etc/systemd/system/multi-user.target.wants/clamav-milter.service": "",
        "/etc/clamav/clamav-milter.conf": "MilterSocket /run/c.ctl\nExample yes\n",
        "/etc/init.d/clamav-milter": init_script("SOCKET=/run/init.sock\n")})
    found, _, _ = detect(stock, tmp_path, files)
    egg = found["clamav-milter"]
    assert egg.command == "/etc/init.d/clamav-milter"
    assert egg.connection_spec == "unix:/run/init.sock"     # old-style script
    assert egg.enabled is True


# --- opendkim (§7.2) -------------------------------------------------------------------

@STOCK
def test_opendkim_init_reads_the_fixed_config(stock, tmp_path):
    found, _, _ = detect(stock, tmp_path, {
        "/etc/init.d/opendkim": init_script("SOCKET=/run/generic.sock\n"),
        "/etc/opendkim.conf": "#Socket inet:1@localhost\nSocket\t\tinet:8891@localhost\n"})
    assert found["opendkim"].connection_spec == "inet:8891@localhost"


@STOCK
def test_opendkim_init_without_socket_line_uses_generic(stock, tmp_path):
    found, _, _ = detect(stock, tmp_path, {
        "/etc/init.d/opendkim": init_script("SOCKET=/run/generic.sock\n"),
        "/etc/opendkim.conf": "Domain example.com\n"})
    assert found["opendkim"].connection_spec == "unix:/run/generic.sock"


@STOCK
@pytest.mark.parametrize(("options", "conf"), [
    ('OPTIONS="-x /etc/dkim/alt.conf"\n', "/etc/dkim/alt.conf"),
    ("", "/etc/opendkim.conf"),
])
def test_opendkim_systemd_config_from_environment_file(stock, tmp_path, options, conf):
    files = dict(SYSTEMCTL)
    files.update({
        "/lib/systemd/system/opendkim.service":
            "[Unit]\nDescription=OpenDKIM\n[Service]\n"
            "EnvironmentFile=-/etc/default/opendkim\nExecStart=/usr/sbin/opendkim $OPTIONS\n",
        "/etc/default/opendkim": options + "SOCKET=/run/not-this\n",
        "/etc/systemd/system/multi-user.target.wants/opendkim.service": "",
        conf: "Socket local:/run/opendkim/opendkim.sock\n"})
    found, _, _ = detect(stock, tmp_path, files)
    assert found["opendkim"].connection_spec == "local:/run/opendkim/opendkim.sock"


# --- milter-greylist (§7.3) ------------------------------------------------------------------

GREYLIST_CONF = """\
# greylist.conf
socket "/var/run/milter-greylist/milter-greylist.sock" 666
pidfile "/var/run/milter-greylist.pid"
racl whitelist list "my network" tarpit 5m
acl greylist default delay 30m
racl greylist \\
    default tarpit 1h
# racl blacklist default tarpit 3w
dacl blacklist default tarpit 2d
racl continue tarpit 90
"""


@STOCK
def test_greylist_systemd_socket_and_tarpit(stock, tmp_path):
    files = dict(SYSTEMCTL)
    files.update({
        "/lib/systemd/system/milter-greylist.service":
            "[Service]\nExecStart=/usr/sbin/milter-greylist -D -f /etc/mg/greylist.conf\n",
        "/etc/systemd/system/multi-user.target.wants/milter-greylist.service": "",
        "/etc/mg/greylist.conf": GREYLIST_CONF})
    found, config, _ = detect(stock, tmp_path, files)
    egg = found["milter-greylist"]
    assert egg.connection_spec == "unix:/var/run/milter-greylist/milter-greylist.sock"
    # longest racl tarpit: 1h (the continued line); dacl and comments do not count
    assert (egg.writing_timeout, egg.reading_timeout) == (7.0 + 3600, 7.0 + 3600)
    assert config.locations.get(("milter", "milter-greylist", "writing_timeout")) is not None
    assert conditions(egg) == GREYLIST_CONDITIONS


@STOCK
def test_greylist_init_uses_options_f_and_generic_spec(stock, tmp_path):
    found, _, _ = detect(stock, tmp_path, {
        "/etc/init.d/milter-greylist": init_script(
            "SOCKET=/run/from-script.sock\n"),
        "/etc/default/milter-greylist": 'OPTIONS="-f /etc/alt-greylist.conf"\n',
        "/etc/alt-greylist.conf": 'socket "/run/ignored-by-init"\nacl greylist tarpit 2m\n',
        "/etc/milter-greylist/greylist.conf": "racl x tarpit 1w\n"})
    egg = found["milter-greylist"]
    assert egg.connection_spec == "unix:/run/from-script.sock"
    assert egg.writing_timeout == 7.0 + 120


@STOCK
def test_greylist_without_tarpit_keeps_the_timeouts(stock, tmp_path):
    found, config, _ = detect(stock, tmp_path, {
        "/etc/init.d/milter-greylist": init_script("SOCKET=/run/g\n"),
        "/etc/milter-greylist/greylist.conf": "racl whitelist default\n"})
    egg = found["milter-greylist"]
    assert (egg.writing_timeout, egg.reading_timeout) == (7.0, 7.0)
    assert config.locations.get(("milter", "milter-greylist", "writing_timeout")) is None


# --- rspamd (§7.4) ---------------------------------------------------------------------

def rspamd_files(output: str, status: int = 0) -> dict:
    files = dict(SYSTEMCTL)
    files.update({
        "/lib/systemd/system/rspamd.service":
            "[Unit]\nDescription=rapid spam filtering system\n[Service]\n"
            "ExecStart=/usr/bin/rspamd -f\n",
        "/etc/systemd/system/multi-user.target.wants/rspamd.service": "",
        "/usr/bin/rspamadm": script(
            "#!/bin/sh\n[ \"$1 $2\" = 'configdump --json' ] || exit 3\n"
            f"cat <<'JSON'\n{output}\nJSON\nexit {status}\n"),
        "/etc/init.d/rspamd": init_script("DESC=init\n"),
    })
    return files


def proxy(bind, milter="true"):
    return ('{"worker": [{"normal": {"bind_socket": "localhost:11333"}}, '
            f'{{"rspamd_proxy": {{"bind_socket": {bind}, "milter": {milter}}}}}]}}')


@STOCK
@pytest.mark.parametrize(("output", "spec"), [
    (proxy('"localhost:11332"'), "inet:11332@localhost"),
    (proxy('"*:11332"'), "inet:11332@localhost"),
    (proxy('"*v4:11332"'), "inet:11332@localhost"),
    (proxy('"*v6:11332"'), "inet6:11332@[::1]"),
    (proxy('"[::1]:11332"'), "inet6:11332@[::1]"),
    (proxy('"127.0.0.1:11332"'), "inet:11332@127.0.0.1"),
    (proxy('"/var/run/rspamd/milter.sock mode=0666 owner=_rspamd"'),
     "unix:/var/run/rspamd/milter.sock"),
    (proxy('"/run/r.sock,mode=0600"'), "unix:/run/r.sock"),
    (proxy('["localhost:11332", "/run/second.sock"]'), "inet:11332@localhost"),
    ('{"worker": {"rspamd_proxy": {"bind_socket": "localhost:9900", "milter": 1}}}',
     "inet:9900@localhost"),
])
def test_rspamd_bind_socket_forms(stock, tmp_path, output, spec):
    found, _, _ = detect(stock, tmp_path, rspamd_files(output))
    egg = found["rspamd"]
    assert egg.connection_spec == spec
    assert egg.command == "/usr/bin/systemctl"
    assert egg.description == "rapid spam filtering system"


@STOCK
@pytest.mark.parametrize(("output", "status"), [
    (proxy('"localhost:11332"', milter="false"), 0),
    (proxy('"localhost:11332"', milter="null"), 0),
    ('{"worker": [{"normal": {"bind_socket": "localhost:11333"}}]}', 0),
    ('{"worker": [{"rspamd_proxy": {"milter": true}}]}', 0),
    ("not json", 0),
    ("[1, 2]", 0),
    (proxy('"localhost:11332"'), 1),
])
def test_rspamd_without_a_milter_proxy_falls_back_to_init(stock, tmp_path, output, status):
    found, _, _ = detect(stock, tmp_path, rspamd_files(output, status))
    egg = found["rspamd"]
    assert egg.command == "/etc/init.d/rspamd"
    assert egg.connection_spec is None
    assert egg.description == "init"


@STOCK
def test_rspamadm_not_executable(stock, tmp_path):
    files = rspamd_files(proxy('"localhost:11332"'))
    files["/usr/bin/rspamadm"] = files["/usr/bin/rspamadm"][0]       # mode 0644
    found, _, _ = detect(stock, tmp_path, files)
    assert found["rspamd"].command == "/etc/init.d/rspamd"


# --- systemd sub-detector details (§4) --------------------------------------------------

@STOCK
def test_systemd_unit_not_wanted_falls_back_to_init(stock, tmp_path):
    files = dict(SYSTEMCTL)
    files.update({
        "/lib/systemd/system/spfmilter.service":
            "[Unit]\nDescription=unit\n[Service]\nEnvironmentFile=/etc/default/spfmilter\n",
        "/etc/default/spfmilter": "SOCKET=/run/unit.sock\n",
        "/etc/init.d/spfmilter": init_script("SOCKET=/run/init.sock\nDESC=script\n")})
    found, _, _ = detect(stock, tmp_path, files)
    egg = found["spfmilter"]
    # the init sub-detector also reads /etc/default/spfmilter (later wins)
    assert (egg.command, egg.connection_spec, egg.description) == \
        ("/etc/init.d/spfmilter", "unix:/run/unit.sock", "script")


@STOCK
def test_systemd_unit_alone_not_wanted_defines_nothing(stock, tmp_path):
    files = dict(SYSTEMCTL)
    files["/lib/systemd/system/spfmilter.service"] = (
        "[Service]\nEnvironmentFile=/etc/default/spfmilter\n")
    files["/etc/default/spfmilter"] = "SOCKET=/run/unit.sock\n"
    found, _, _ = detect(stock, tmp_path, files)
    assert found == {}


@STOCK
def test_systemd_unit_parsing(stock, tmp_path):
    files = dict(SYSTEMCTL)
    files.update({
        "/lib/systemd/system/spfmilter.service": """
            #Description=a comment is a key here, in no section
            [Unit]
            Description=first
              Description = second
            Documentation=man:spfmilter(8)
            [Service]
            Description=not in Unit
            EnvironmentFile=-/etc/default/missing
            EnvironmentFile=/etc/default/spfmilter
            EnvironmentFile=-/etc/spf/extra
            [Install]
            EnvironmentFile=/etc/not-read
            """,
        "/etc/default/spfmilter": "SOCKET=/run/a.sock\n",
        "/etc/spf/extra": "SOCKET=/run/extra.sock\n",
        "/etc/not-read": "SOCKET=/run/wrong.sock\n",
        "/etc/systemd/system/multi-user.target.wants/spfmilter.service": ""})
    found, _, _ = detect(stock, tmp_path, files)
    egg = found["spfmilter"]
    assert egg.description == "second"
    assert egg.connection_spec == "unix:/run/extra.sock"


@STOCK
@pytest.mark.parametrize(("commands", "command", "options"), [
    (("/usr/bin/systemctl", "/sbin/service"), "/usr/bin/systemctl", "start spfmilter"),
    (("/sbin/service", "/usr/sbin/service"), "/sbin/service", "spfmilter start"),
    (("/usr/sbin/service",), "/usr/sbin/service", "spfmilter start"),
    ((), None, None),                  # [deviation] upstream raises NameError
])
def test_systemd_command(stock, tmp_path, commands, command, options):
    files = {path: script("#!/bin/sh\n") for path in commands}
    files.update({
        "/lib/systemd/system/spfmilter.service":
            "[Service]\nEnvironmentFile=/etc/default/spfmilter\n",
        "/etc/default/spfmilter": "SOCKET=inet:2525@localhost\n",
        "/etc/systemd/system/multi-user.target.wants/spfmilter.service": ""})
    found, _, _ = detect(stock, tmp_path, files)
    egg = found["spfmilter"]
    assert (egg.command, egg.command_options) == (command, options)
    assert egg.enabled is True


# --- errors, the spec-detector block, other platforms (§8.2, §8.3, §10) --------------------------

@STOCK
def test_invalid_detected_spec_is_a_load_error(stock, tmp_path):
    root = build_root(tmp_path / "root", {
        "/etc/init.d/spfmilter": init_script("SOCKET=inet:99999@localhost\n")})
    with pytest.raises(ConfigurationError) as error:
        load_stock(stock, root, tmp_path)
    assert ("milter[spfmilter].connection_spec: invalid connection spec: "
            "port number should be less than 65536") in str(error.value)


@STOCK
def test_connection_spec_detector_block(stock, tmp_path):
    root = build_root(tmp_path / "root", {
        "/etc/init.d/spfmilter": init_script(
            "SOCKET=/run/s.sock\nPORT=4444\n",
            "# Provides: spf\n# Description: d\n")})
    local = """
        seen = []
        detector = DebianDetector.new(configuration, "spfmilter") do |sub, spec|
          seen << [sub.class.name, sub.name, spec, sub.info["Provides"], sub.enabled?,
                   sub.command, sub.command_options, sub.description]
          "  inet:#{sub.variables["PORT"]}@localhost  "
        end
        detector.detect
        detector.apply(self) { |milter| milter.description = seen.inspect }
        """
    config, _ = load_stock(stock, root, tmp_path, local)
    egg = milters(config)["spfmilter"]
    assert egg.connection_spec == "inet:4444@localhost"
    assert egg.description == (
        '[["Milter::Manager::DebianInitDetector", "spf", "/run/s.sock", "spf", true, '
        '"/etc/init.d/spfmilter", ["start"], "d"]]')


@STOCK
def test_block_returning_nil_keeps_the_spec(stock, tmp_path):
    root = build_root(tmp_path / "root", {
        "/etc/init.d/spfmilter": init_script("SOCKET=/run/s.sock\n")})
    local = """
        d = DebianDetector.new(configuration, "spfmilter") { |sub, spec| nil }
        d.detect
        d.apply(self)
        """
    config, _ = load_stock(stock, root, tmp_path, local)
    assert milters(config)["spfmilter"].connection_spec == "unix:/run/s.sock"


@STOCK
def test_detector_object_api(stock, tmp_path):
    files = dict(SYSTEMCTL)
    files.update({
        "/lib/systemd/system/spfmilter.service":
            "[Service]\nEnvironmentFile=/etc/default/spfmilter\n",
        "/etc/default/spfmilter": "SOCKET=inet:2525@localhost\n",
        "/etc/systemd/system/multi-user.target.wants/spfmilter.service": "",
        "/etc/init.d/dkim-filter": init_script("ENABLED=0\n")})
    root = build_root(tmp_path / "root", files)
    local = """
        result = []
        ["spfmilter", "dkim-filter", "milter-greylist"].each do |name|
          d = DebianDetector.new(configuration, name)
          d.detect
          result << [d.enabled?, d.command, d.command_options]
        end
        define_milter("report") { |m| m.description = result.inspect }
        """
    config, _ = load_stock(stock, root, tmp_path, local)
    assert milters(config)["report"].description == (
        '[[true, "/usr/bin/systemctl", ["start", "spfmilter"]], '
        '[false, "/etc/init.d/dkim-filter", ["start"]], '
        '[false, "/etc/init.d/milter-greylist", ["start"]]]')


@STOCK
@pytest.mark.parametrize("platform", ["redhat", "redhat9", "freebsd", "pkgsrc"])
def test_other_platforms_detect_nothing_and_warn_once(stock, tmp_path, platform):
    root = build_root(tmp_path / "root", {
        "/etc/init.d/spamass-milter": init_script("SOCKET=/run/s\n"),
        "/etc/rc.d/spamass-milter": init_script("SOCKET=/run/s\n"),
        "/usr/pkg/etc/rc.d/spamass-milter": init_script("SOCKET=/run/s\n")})
    config, logged = load_stock(stock, root, tmp_path, platform=platform)
    assert config.eggs == []
    assert logged.count("[detector][unsupported] milter auto-detection is only "
                        "implemented for the debian platform") == 1
