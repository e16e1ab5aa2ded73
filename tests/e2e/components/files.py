"""File-system helpers for daemons that drop privileges."""

from __future__ import annotations

import os
import shutil
import stat
from pathlib import Path


def grant_traverse(path: Path, up_to: Path) -> None:
    """Add search permission for others (o+x) on `path` and its ancestors up
    to and including `up_to`.

    Daemons that drop to their own user (Postfix's services, clamav,
    opendkim, _rspamd, debian-spamd, the manager's nobody) must reach their
    files; mkdtemp and pytest create directories with mode 0700. Only search
    is granted, never listing.
    """
    path = path.resolve()
    up_to = up_to.resolve()
    assert path == up_to or up_to in path.parents, f"{up_to} is not above {path}"
    for directory in [path, *path.parents]:
        mode = directory.stat().st_mode
        if not mode & stat.S_IXOTH:
            os.chmod(directory, stat.S_IMODE(mode) | stat.S_IXOTH)
        if directory == up_to:
            break


def chown_tree(root: Path, user: str, group: str | None = None) -> None:
    """chown -R user:group root."""
    group = group or user
    for path in [root, *root.rglob("*")]:
        shutil.chown(path, user, group)
