"""Milter auto-detection for `load_default` (detectors.md).

The stock `defaults/PLATFORM.conf` files use the constants `DebianDetector`,
`RedHatDetector`, `FreeBSDRCDetector`, `PkgsrcRCDetector` (Ruby API:
`new(configuration, name, &spec_detector)`, `detect`,
`apply(loader) { |milter| ... }`, `enabled?`, `command`, `command_options`).
Only Debian detects (systemd units, init scripts, `/etc/default/*` and each
milter's own configuration file); the others detect nothing (§10).

    root.py        the detector root: chroot-like rooted file access (§2)
    shell.py       shell-variable extraction, `-p`-style parameters (§6, §8.1)
    readers.py     clamav-milter, OpenDKIM, milter-greylist, rspamd (§7)
    debian.py      the systemd and init sub-detectors and DebianDetector (§3–§5)
    ruby_api.py    the Ruby classes on a load cycle's interpreter (§8.2, §8.3)
    reference.py   the fixture root of §9.3 (the `stock-debian-this-host*` goldens)
"""

from __future__ import annotations

from typing import Any

from milter_manager.config.detectors.reference import fixture_root

__all__ = ["fixture_root", "install"]


def install(session: Any) -> None:
    from milter_manager.config.detectors import ruby_api
    ruby_api.install(session)
