"""Fixture detector roots (a fake `/etc` tree per case, detectors.md §2) and
load cycles of the stock configuration on them, with upstream's files and
with ours."""

from __future__ import annotations

import os
import textwrap
from dataclasses import dataclass
from pathlib import Path

from milter_manager.config.loader import ConfigurationLoader, LoadOptions, data_dir

PROJECT = Path(__file__).resolve().parents[2]
SHARED = (PROJECT / ".." / "shared").resolve()
UPSTREAM = SHARED / "upstream"
STOCKS = {"upstream": UPSTREAM / "data", "own": Path(data_dir())}


@dataclass(frozen=True)
class Link:
    """A symbolic link to TARGET (absolute targets are re-rooted, §2)."""
    target: str


EXECUTABLE = 0o755


def build_root(root: Path, files: dict[str, object]) -> Path:
    """Write FILES under ROOT: path → text (0644), (text, mode), or Link.
    Texts are dedented; paths are given absolute, as on the host."""
    for name, content in files.items():
        path = root / name.lstrip("/")
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, Link):
            os.symlink(content.target, path)
            continue
        mode = 0o644
        if isinstance(content, tuple):
            content, mode = content
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(textwrap.dedent(str(content)).lstrip("\n"))
        path.chmod(mode)
    return root


def script(text: str) -> tuple[str, int]:
    """An executable file (init script, fake command)."""
    return (text, EXECUTABLE)


SYSTEMCTL = {"/usr/bin/systemctl": script("#!/bin/sh\nexit 0\n")}


class Logged(list):
    def __call__(self, level: int, message: str) -> None:
        self.append(message)


def load_stock(stock: str, root: Path, tmp_path: Path, local: str | None = None,
               platform: str | None = None):
    """A load cycle of the stock milter-manager.conf (STOCK: "upstream" or
    "own") on detector root ROOT; LOCAL becomes milter-manager.local.conf.
    Returns (configuration, logged messages)."""
    directory = tmp_path / f"config-{stock}"
    directory.mkdir(exist_ok=True)
    if local is not None:
        (directory / "milter-manager.local.conf").write_text(textwrap.dedent(local))
    load_paths = [str(directory), str(STOCKS[stock])]
    files = None
    if platform is not None:
        main = directory / "milter-manager.conf"
        main.write_text((STOCKS[stock] / "milter-manager.conf").read_text().replace(
            "load_default", f'package.platform = "{platform}"\nload_default'))
        files = [str(main)]
    logged = Logged()
    options = LoadOptions(load_paths=load_paths, files=files, custom_directory=False,
                          custom_xml=False, uid=0, env={}, detector_root=str(root),
                          log=logged)
    return ConfigurationLoader(options).startup(), logged


def milters(config) -> dict:
    return {egg.name: egg for egg in config.eggs}


def conditions(egg) -> list[str]:
    return [condition.name for condition in egg.applicable_conditions]
