"""Load cycles (config.md §1–§2): build a complete new Configuration, or fail
with a ConfigurationError and change nothing.

    loader = ConfigurationLoader(LoadOptions(config_dir="/etc/milter-manager"))
    config = loader.startup()      # one cycle, or two with a custom directory
    config = loader.reload()       # SIGHUP / controller `reload`: same load paths

Every cycle starts from a fresh Configuration, a fresh interpreter and the
base load-path list; nothing of a failed cycle is visible anywhere.
"""

from __future__ import annotations

import os
import pwd
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources

from milter_manager.config import log_level
from milter_manager.config.custom_xml import CUSTOM_FILE, load_custom_xml
from milter_manager.config.errors import ConfigurationError, ConfigValueError
from milter_manager.config.logsink import LogSink, StdoutLog
from milter_manager.config.model import (
    Configuration,
)
from milter_manager.config.overrides import Overrides, apply_overrides
from milter_manager.config.sections import CONFIG_DIR, build_defaults, check_log_path
from milter_manager.config.values import rinspect

MAIN_FILE = "milter-manager.conf"


def data_dir() -> str:
    """The package directory holding the embedded stock configuration."""
    return str(resources.files("milter_manager") / "data")


@dataclass
class LoadOptions:
    """Inputs of a load cycle. None means "from the environment / the system"."""
    config_dir: str | None = None              # -c / --config-dir
    # An explicit base load-path list replacing entries 1–3 of §2.1 (tests,
    # golden runner): never CONFIG_DIR, never the embedded configuration.
    load_paths: list[str] | None = None
    # Explicit top-level loads (§4.3) instead of milter-manager.conf.
    files: list[str] | None = None
    custom_directory: bool = True              # §2.2 step (off for goldens)
    custom_xml: bool = True                    # §15 step
    profile: str | None = None                 # MILTER_MANAGER_DEFAULTS_PROFILE
    uid: int | None = None                     # real uid for the non-root rule
    detector_root: str | None = None           # MILTER_MANAGER_DETECTOR_ROOT
    overrides: Overrides | None = None
    log_level: int | None = None               # --log-level / -v / -q
    log_path: str | None = None                # --log-path ("-" = stdout)
    log_path_given: bool = False
    env: Mapping[str, str] | None = None       # default: os.environ
    install_config_dir: str = CONFIG_DIR
    log: LogSink | None = None
    extra: dict = field(default_factory=dict)


class ConfigurationLoader:
    """Runs load cycles with fixed options; remembers the custom directory
    decided at start-up (§2.2: not recomputed on reload)."""

    def __init__(self, options: LoadOptions | None = None) -> None:
        self.options = options or LoadOptions()
        self.env = self.options.env if self.options.env is not None else os.environ
        self.custom_dir: str | None = None
        self._current: Configuration | None = None
        self.log: LogSink = (self.options.log if self.options.log is not None else
                             StdoutLog(self._level_in_effect, self._path_in_effect))

    # --- the log baseline (§8.1, cli.md §3) ----------------------------------

    def baseline(self) -> tuple[int, str | None]:
        level = self.options.log_level
        if level is None:
            text = self.env.get("MILTER_LOG_LEVEL")
            level = 0
            if text:
                try:
                    level = log_level.parse_level(text, 0)
                except log_level.LogLevelError as error:
                    self.log(log_level.WARNING, f"[logger][level][set][warning] {error}")
        if self.options.log_path_given:
            path = self.options.log_path
        else:
            path = self.env.get("MILTER_LOG_PATH") or None
            if path is not None and path != "-":
                try:
                    check_log_path(path)
                except ConfigValueError as error:
                    # cli.md §3: an unopenable MILTER_LOG_PATH is ignored (stdout).
                    self.log(log_level.WARNING, f"[logger][path][set][warning] {error}")
                    path = None
        if path == "-":
            path = None
        return level, path

    def _level_in_effect(self) -> int:
        if self._current is not None:
            return self._current.log.level
        return self.options.log_level or 0

    def _path_in_effect(self) -> str | None:
        return self._current.log.path if self._current is not None else None

    # --- load paths (§2.1) ----------------------------------------------------

    def base_load_paths(self) -> list[str]:
        if self.options.load_paths is not None:
            return list(self.options.load_paths)
        entries = []
        if self.options.config_dir:
            entries.append(self.options.config_dir)
        env_dir = self.env.get("MILTER_MANAGER_CONFIG_DIR")
        if env_dir:
            entries.append(env_dir)
        entries.append(self.options.install_config_dir)
        if not any(os.path.isdir(entry) for entry in entries):
            # [deviation] no configuration directory at all: the embedded stock
            # configuration takes the place of CONFIG_DIR (upstream: no milter).
            entries[-1] = data_dir()
        return entries

    def profile(self) -> str | None:
        if self.options.profile is not None:
            return self.options.profile
        return self.env.get("MILTER_MANAGER_DEFAULTS_PROFILE") or None

    def detector_root(self) -> str:
        root = self.options.detector_root
        if root is None:
            root = self.env.get("MILTER_MANAGER_DETECTOR_ROOT") or ""
        return root or "/"

    def uid(self) -> int:
        return os.getuid() if self.options.uid is None else self.options.uid

    # --- cycles -------------------------------------------------------------

    def startup(self) -> Configuration:
        """The start-up load cycle(s) (§1, §2.2)."""
        self.custom_dir = None
        config = self.run_cycle()
        if self.options.custom_directory:
            custom = self.custom_directory_for(config)
            if custom is not None:
                self.custom_dir = custom
                config = self.run_cycle()
        return config

    def reload(self) -> Configuration:
        """One load cycle with the start-up load paths (SIGHUP, `reload`)."""
        return self.run_cycle()

    def run_cycle(self) -> Configuration:
        try:
            defaults = build_defaults(self.profile())
        except ConfigValueError as error:
            raise ConfigurationError(error.message) from None
        level, path = self.baseline()
        config = Configuration(defaults, level, path)
        config.load_paths = self.base_load_paths()
        if self.custom_dir is not None:
            config.load_paths.append(self.custom_dir)
        previous = self._current
        self._current = config
        try:
            self._load_files(config)
            if self.options.custom_xml:
                self._load_custom(config)
            apply_overrides(config, self.options.overrides)
            config.apply_non_root_rule(self.uid())
        finally:
            self._current = previous
        return config

    def _load_files(self, config: Configuration) -> None:
        from milter_manager.config.dsl.session import RubySession
        files = self.options.files
        if files is None:
            main = first_regular_file(MAIN_FILE, config.load_paths)
            if main is None:
                # [deviation] upstream logs this and runs without milters.
                raise ConfigurationError(
                    f"path {MAIN_FILE} doesn't exist in load path "
                    f"({rinspect(config.load_paths)})")
            files = [main]
        session = RubySession(config, self)
        for path in files:
            session.load_top_level(path)

    def _load_custom(self, config: Configuration) -> None:
        path = first_regular_file(CUSTOM_FILE, config.load_paths)
        if path is None:
            return
        try:
            load_custom_xml(config, path,
                            lambda message: self.log(log_level.WARNING, message))
        except ConfigValueError as error:
            site = getattr(error, "site", None)
            raise ConfigurationError(error.message, site.file if site else None,
                                     site.line if site else None) from None
        except OSError as error:
            raise ConfigurationError(f"{error.strerror} @ rb_sysopen - {path}",
                                     ruby_class=_errno_class(error)) from None
        config.custom_configuration_file = path

    # --- custom configuration directory (§2.2) --------------------------------

    def custom_directory_for(self, config: Configuration) -> str | None:
        user = config.security.effective_user
        if user is None:
            return None
        try:
            entry = pwd.getpwnam(user)
        except KeyError:
            return None
        directory = (config.manager.custom_configuration_directory
                     or os.path.join(entry.pw_dir, ".milter-manager"))
        if os.path.isdir(directory):
            return directory
        try:
            os.mkdir(directory, 0o700)
        except OSError as error:
            self.log(log_level.ERROR, "failed to create custom configuration directory: "
                     f"<{directory}>: {error.strerror}")
            return None
        try:
            os.chown(directory, entry.pw_uid, entry.pw_gid)
        except OSError as error:
            self.log(log_level.ERROR,
                     "failed to change owner and group of configuration directory: "
                     f"<{directory}>: <{entry.pw_uid}:{entry.pw_gid}>: {error.strerror}")
            return None
        return directory


def first_regular_file(name: str, load_paths: list[str]) -> str | None:
    for directory in load_paths:
        path = os.path.join(directory, name)
        if os.path.isfile(path):
            return path
    return None


def _errno_class(error: OSError) -> str:
    import errno
    name = errno.errorcode.get(error.errno or 0)
    return f"Errno::{name}" if name else "SystemCallError"


def load_configuration(options: LoadOptions | None = None) -> Configuration:
    """Start-up: the configuration, or ConfigurationError (nothing applied)."""
    return ConfigurationLoader(options).startup()
