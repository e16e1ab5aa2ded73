"""Keep the parsed-file cache of these tests out of the user's home."""

import os

import pytest


@pytest.fixture(autouse=True, scope="session")
def private_cache_directory(tmp_path_factory):
    directory = tmp_path_factory.mktemp("xdg-cache")
    saved = os.environ.get("XDG_CACHE_HOME")
    os.environ["XDG_CACHE_HOME"] = str(directory)      # inherited by subprocesses
    yield directory
    if saved is None:
        os.environ.pop("XDG_CACHE_HOME", None)
    else:
        os.environ["XDG_CACHE_HOME"] = saved
