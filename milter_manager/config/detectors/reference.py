"""The fixture detector root of detectors.md §9.3: the minimal files of a
Debian 12 host with clamav-milter, opendkim, spamass-milter and rspamd, on
which the detectors yield the `stock-debian-this-host` golden, and without
`usr/bin/rspamadm` the `-norspamadm` one (show-config.md §8).

`build_reference_root(directory, rspamadm=True)` writes it;
`fixture_root(name)` ("this-host" or "norspamadm") builds one in a temporary
directory kept until the process exits (for `compat/show_config.py`).
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile

# path → (mode, text), from detectors.md §9.3.
FILES: dict[str, tuple[int, str]] = {
    "etc/init.d/clamav-milter": (0o755, """\
#!/bin/sh
### BEGIN INIT INFO
# Provides:          clamav-milter
# Description:       Clam AntiVirus milter interface
### END INIT INFO

DESC="Sendmail milter plugin for ClamAV"
NAME=clamav-milter
CLAMAVCONF=/etc/clamav/clamav-milter.conf
"""),
    "etc/clamav/clamav-milter.conf": (0o644, """\
MilterSocket /var/run/clamav/clamav-milter.ctl
ClamdSocket unix:/var/run/clamav/clamd.ctl
"""),
    "etc/init.d/spamass-milter": (0o755, """\
#! /bin/sh
# spamass-milter init script (no INIT INFO in the first comment block)

### BEGIN INIT INFO
# Provides:          spamass-milter
# Description:       Calls spamassassin to allow filtering out
#                    spam from ham in libmilter compatible MTAs.
### END INIT INFO

NAME=spamass-milter
SOCKET=/var/run/spamass/spamass.sock
DESC="Sendmail milter plugin for SpamAssassin"
if [ -x /usr/sbin/postfix ]; then
    SOCKET="/var/spool/postfix/spamass/spamass.sock"
fi;
"""),
    "etc/default/spamass-milter": (0o644, """\
OPTIONS="-u spamass-milter -i 127.0.0.1"
"""),
    "lib/systemd/system/opendkim.service": (0o644, """\
[Unit]
Description=OpenDKIM Milter

[Service]
Type=forking
ExecStart=/usr/sbin/opendkim

[Install]
WantedBy=multi-user.target
"""),
    "etc/opendkim.conf": (0o644, """\
Socket\t\t\tlocal:/run/opendkim/opendkim.sock
#Socket\t\t\tinet:8891@localhost
"""),
    "lib/systemd/system/rspamd.service": (0o644, """\
[Unit]
Description=rapid spam filtering system

[Service]
ExecStart=/usr/bin/rspamd -c /etc/rspamd/rspamd.conf -f
"""),
    "etc/init.d/rspamd": (0o755, """\
#!/bin/sh
### BEGIN INIT INFO
# Provides:          rspamd
# Description:       Rspamd is fast and modular spam filtering system
### END INIT INFO

NAME=rspamd
DAEMON_ARGS="-c /etc/rspamd/rspamd.conf"
DESC="rapid spam filtering system"
"""),
    "etc/systemd/system/multi-user.target.wants/opendkim.service": (0o644, ""),
    "etc/systemd/system/multi-user.target.wants/rspamd.service": (0o644, ""),
    "usr/bin/systemctl": (0o755, """\
#!/bin/sh
exit 0
"""),
    "usr/bin/rspamadm": (0o755, """\
#!/bin/sh
cat <<'JSON'
{"worker": [{"normal": {"bind_socket": "localhost:11333"}}, \
{"rspamd_proxy": {"bind_socket": "localhost:11332", "milter": true}}]}
JSON
"""),
}
RSPAMADM = "usr/bin/rspamadm"


def build_reference_root(directory: str, rspamadm: bool = True) -> str:
    """Write the §9.3 files under DIRECTORY (without rspamadm when RSPAMADM
    is false); returns DIRECTORY."""
    for path, (mode, text) in FILES.items():
        if path == RSPAMADM and not rspamadm:
            continue
        full = os.path.join(directory, path)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, "w", encoding="utf-8") as stream:
            stream.write(text)
        os.chmod(full, mode)
    return directory


_built: dict[str, str] = {}


def fixture_root(name: str) -> str:
    """The fixture root named NAME ("this-host", "norspamadm"), built once
    per process."""
    if name not in ("this-host", "norspamadm"):
        raise ValueError(f"unknown detector fixture root: {name}")
    if name not in _built:
        directory = tempfile.mkdtemp(prefix=f"milter-manager-detector-{name}-")
        atexit.register(shutil.rmtree, directory, True)
        _built[name] = build_reference_root(directory, rspamadm=name == "this-host")
    return _built[name]
