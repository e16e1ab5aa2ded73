"""The Debian detector (detectors.md §3–§5, §8): a systemd sub-detector (the
unit file) and an init sub-detector (the init script and /etc/default) for
one candidate, in plain Python. The Ruby objects of `ruby_api.py` wrap them.

The connection-spec detector block of §8.3 is a Python callable
`spec_detector(sub_detector, spec) -> str | None` here.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from milter_manager.config.detectors.readers import (
    ClamAVMilterConfig,
    MilterGreylistConfig,
    OpenDKIMConfig,
    RspamdProxyDetector,
)
from milter_manager.config.detectors.root import DetectorRoot
from milter_manager.config.detectors.shell import (
    extract_variables,
    normalize,
    param,
    ruby_strip,
)

SpecDetector = Callable[[Any, "str | None"], "str | None"]

CLAMAV_CONF = "/etc/clamav/clamav-milter.conf"
OPENDKIM_CONF = "/etc/opendkim.conf"
GREYLIST_CONF = "/etc/milter-greylist/greylist.conf"
SYSTEMCTL = "/usr/bin/systemctl"
SERVICE_COMMANDS = ("/sbin/service", "/usr/sbin/service")

_WS = " \t\n\v\f\r"
_SECTION = re.compile(r"\A\[(.+?)\]\Z")
_UNIT_ENTRY = re.compile(rf"\A(.+?)[{_WS}]*=[{_WS}]*(.+?)\Z")
_SHEBANG = re.compile(rf"\A#![{_WS}]*/bin/sh[{_WS}]*")
_INIT_INFO = re.compile(r"^### BEGIN INIT INFO\n(.+)\n### END INIT INFO$",
                        re.MULTILINE | re.DOTALL)
_INFO_KEY = re.compile(rf"([a-zA-Z\-]+):[{_WS}]*")
_INFO_FOLD = re.compile(rf"[{_WS}]*\n[{_WS}]*")


class SubDetector:
    """What both sub-detectors share (the §8.3 block sees these attributes)."""

    kind = ""

    def __init__(self, root: DetectorRoot, candidate: str,
                 spec_detector: SpecDetector | None = None) -> None:
        self.root = root
        self.candidate = candidate
        self.spec_detector = spec_detector
        self.name: str | None = None
        self.variables: dict[str, str] = {}
        self.info: dict[str, str] = {}
        self._spec: tuple[str | None] | None = None      # memo: (spec,)

    # --- overridden -----------------------------------------------------------

    def detect(self) -> None:
        raise NotImplementedError

    def detect_spec(self) -> str | None:
        raise NotImplementedError

    @property
    def enabled(self) -> bool:
        raise NotImplementedError

    @property
    def description(self) -> str | None:
        raise NotImplementedError

    @property
    def command(self) -> str | None:
        raise NotImplementedError

    @property
    def command_options(self) -> list[str] | None:
        raise NotImplementedError

    def greylist_config_path(self) -> str:
        raise NotImplementedError

    # --- shared ----------------------------------------------------------------

    @property
    def spec(self) -> str | None:
        """The connection spec, computed once (a detector runs rspamadm at
        most once), the §8.3 block applied last."""
        if self._spec is None:
            spec = self.detect_spec()
            if self.spec_detector is not None:
                result = self.spec_detector(self, spec)
                if result is not None:
                    spec = normalize(result)
            self._spec = (spec,)
        return self._spec[0]

    def extract(self, text: str) -> None:
        extract_variables(text, self.variables, self.name)

    def clamav_config(self, path: str) -> ClamAVMilterConfig:
        return ClamAVMilterConfig().parse(self.root, path)

    def greylist_config(self) -> MilterGreylistConfig:
        return MilterGreylistConfig().parse(self.root, self.greylist_config_path())


class SystemdDetector(SubDetector):
    """§4: `/lib/systemd/system/NAME.service`, enabled when wanted by
    multi-user.target and a connection spec is found."""

    kind = "systemd"

    def __init__(self, root: DetectorRoot, candidate: str,
                 spec_detector: SpecDetector | None = None) -> None:
        super().__init__(root, candidate, spec_detector)
        self.installed = False
        self.exec_start: str | None = None
        self.unit_description: str | None = None

    @property
    def unit_file(self) -> str:
        return f"/lib/systemd/system/{self.candidate}.service"

    @property
    def wanted_marker(self) -> str:
        return f"/etc/systemd/system/multi-user.target.wants/{self.candidate}.service"

    def detect(self) -> None:
        text = self.root.read_text(self.unit_file)
        if text is None:
            return
        self._parse_unit(text)
        self.name = self.candidate
        self.installed = self.root.exists(self.wanted_marker)

    def _parse_unit(self, text: str) -> None:
        section = None
        for line in text.split("\n"):
            line = ruby_strip(line)
            match = _SECTION.match(line)
            if match:
                section = match.group(1)
                continue
            match = _UNIT_ENTRY.match(line)
            if match is None:
                continue
            key, value = match.groups()
            if section == "Unit" and key == "Description":
                self.unit_description = value
            elif section == "Service" and key == "ExecStart":
                self.exec_start = value
            elif section == "Service" and key == "EnvironmentFile":
                path = value.removeprefix("-")
                if self.root.exists(path):
                    text = self.root.read_text(path)
                    if text is not None:
                        self.extract(text)

    def detect_spec(self) -> str | None:
        candidate = self.candidate
        spec: str | None = None
        if candidate == "clamav-milter":
            spec = self.clamav_config(self.clamav_config_path()).milter_socket
        elif candidate == "milter-greylist":
            spec = self.greylist_config().socket
        elif candidate == "opendkim":
            path = first_set(param(self.variables.get("OPTIONS"), "-x"), OPENDKIM_CONF)
            spec = OpenDKIMConfig().parse(self.root, path).socket
        elif candidate == "rspamd":
            spec = RspamdProxyDetector(self.root).detect()
        if spec is None:
            spec = normalize(self.variables.get("SOCKET"))
        return spec

    def clamav_config_path(self) -> str:
        return first_set(param(self.exec_start, "-c"), CLAMAV_CONF)

    def greylist_config_path(self) -> str:
        return first_set(param(self.exec_start, "-f"), GREYLIST_CONF)

    @property
    def enabled(self) -> bool:
        # `installed` first: a disabled unit never runs rspamadm (§4 allows it).
        if self.name is None or not self.installed or self.spec is None:
            return False
        return not (self.candidate == "clamav-milter"
                    and self.clamav_config(self.clamav_config_path()).example)

    @property
    def description(self) -> str | None:
        return self.unit_description

    def _service_command(self) -> str | None:
        for path in SERVICE_COMMANDS:
            if self.root.executable(path):
                return path
        return None

    @property
    def command(self) -> str | None:
        if self.root.executable(SYSTEMCTL):
            return SYSTEMCTL
        # [deviation] with neither systemctl nor service upstream raises NameError.
        return self._service_command()

    @property
    def command_options(self) -> list[str] | None:
        if self.root.executable(SYSTEMCTL):
            return ["start", self.candidate]
        if self._service_command() is not None:
            return [self.candidate, "start"]
        return None


class InitDetector(SubDetector):
    """§5: `/etc/init.d/NAME` and `/etc/default/NAME`."""

    kind = "init"

    @property
    def script(self) -> str:
        return f"/etc/init.d/{self.candidate}"

    @property
    def defaults_file(self) -> str:
        return f"/etc/default/{self.candidate}"

    def detect(self) -> None:
        text = self.root.read_text(self.script)
        if text is None:
            return
        text = _SHEBANG.sub("", text, count=1)
        self.info = parse_init_info(first_comment_block(text))
        self.extract(text)
        # Ruby's `||`: an empty String is a value.
        self.name = first_set(self.variables.get("NAME"), self.info.get("Provides"),
                              self.candidate)
        defaults = self.root.read_text(self.defaults_file)
        if defaults is not None:
            self.extract(defaults)

    def clamav_095(self) -> bool:
        """clamav-milter ≥ 0.95: its script names the milter's own config."""
        return self.candidate == "clamav-milter" and (
            "clamav-milter" in self.variables.get("CLAMAVCONF", "")
            or "CLAMAVMILTERCONF" in self.variables)

    def clamav_config_path(self) -> str:
        for key in ("CLAMAVCONF", "CLAMAVMILTERCONF"):
            if key in self.variables:           # set, even if empty, wins
                return self.variables[key]
        return CLAMAV_CONF

    def greylist_config_path(self) -> str:
        return first_set(param(self.variables.get("OPTIONS"), "-f"), GREYLIST_CONF)

    def detect_spec(self) -> str | None:
        candidates: list[Callable[[], str | None]] = []
        if self.clamav_095():
            candidates.append(
                lambda: self.clamav_config(self.clamav_config_path()).milter_socket)
        if self.candidate == "opendkim":
            candidates.append(lambda: OpenDKIMConfig().parse(self.root, OPENDKIM_CONF).socket)
        variables = self.variables
        for key in ("SOCKET", "SOCKFILE", "CONNECTION_SPEC"):
            candidates.append(lambda key=key: normalize(variables.get(key)))
        for key in ("OPTARGS", "DAEMON_ARGS", "PARAMS"):
            candidates.append(lambda key=key: param(variables.get(key), "-p"))
        for candidate in candidates:
            spec = candidate()
            if spec is not None:
                return spec
        return None

    @property
    def enabled(self) -> bool:
        if self.name is None or self.variables.get("ENABLED") == "0":
            return False
        return not (self.clamav_095()
                    and self.clamav_config(self.clamav_config_path()).example)

    @property
    def description(self) -> str | None:
        return first_set(self.info.get("Description"), self.variables.get("DESC"))

    @property
    def command(self) -> str | None:
        return self.script

    @property
    def command_options(self) -> list[str] | None:
        return ["start"]


def first_set(*values: str | None) -> str | None:
    return next((value for value in values if value is not None), None)


def first_comment_block(text: str) -> str:
    """§5 step 3: the leading lines that start with `#`."""
    block = []
    for line in text.split("\n"):
        if not line.startswith("#"):
            break
        block.append(line + "\n")
    return "".join(block)


def parse_init_info(block: str) -> dict[str, str]:
    """§5 step 4: the `### BEGIN INIT INFO` fields of the first comment block."""
    match = _INIT_INFO.search(block)
    if match is None:
        return {}
    text = re.sub(r"^# ", "", match.group(1), flags=re.MULTILINE)
    parts = _INFO_KEY.split(text)
    info: dict[str, str] = {}
    # parts: [before, key1, value1, key2, value2, ...]; a trailing key may
    # lack its value (Ruby's split drops trailing empty fields).
    for index in range(1, len(parts), 2):
        value = parts[index + 1] if index + 1 < len(parts) else ""
        info[parts[index]] = ruby_strip(_INFO_FOLD.sub(" ", value))
    return info


class DebianDetector:
    """§3: the systemd sub-detector wins when it is enabled."""

    def __init__(self, root: DetectorRoot, candidate: str,
                 spec_detector: SpecDetector | None = None) -> None:
        self.candidate = candidate
        self.systemd = SystemdDetector(root, candidate, spec_detector)
        self.init = InitDetector(root, candidate, spec_detector)

    def detect(self) -> None:
        self.systemd.detect()
        self.init.detect()

    @property
    def applying(self) -> SubDetector | None:
        """The sub-detector that defines the milter, if any."""
        chosen: SubDetector = self.systemd if self.systemd.enabled else self.init
        return chosen if chosen.name is not None else None

    @property
    def enabled(self) -> bool:
        return self.systemd.enabled or self.init.enabled

    @property
    def command(self) -> str | None:
        return (self.systemd if self.systemd.enabled else self.init).command

    @property
    def command_options(self) -> list[str] | None:
        return (self.systemd if self.systemd.enabled else self.init).command_options
