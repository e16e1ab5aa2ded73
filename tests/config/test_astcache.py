"""The parsed-file cache (config/dsl/astcache.py): a changed file is parsed
again, and a cache directory others can write to is never trusted."""

import os

from milter_manager.config.dsl import astcache


def test_cache_hits_and_invalidation(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr(astcache, "_MEMORY", {})
    source = tmp_path / "a.conf"
    source.write_text("x = 1\n")
    calls = []

    def parse():
        from milter_manager.ruby.parser import parse as parse_source
        calls.append(1)
        return parse_source(source.read_text(), str(source))

    first = astcache.cached_parse(str(source), os.stat(source), parse)
    monkeypatch.setattr(astcache, "_MEMORY", {})          # a new process: disk only
    second = astcache.cached_parse(str(source), os.stat(source), parse)
    assert len(calls) == 1 and second.filename == first.filename == str(source)
    source.write_text("x = 22\n")
    astcache.cached_parse(str(source), os.stat(source), parse)
    assert len(calls) == 2


def test_untrusted_cache_directory_is_not_used(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    directory = astcache.cache_dir()
    assert directory is not None and (os.stat(directory).st_mode & 0o777) == 0o700
    os.chmod(directory, 0o777)
    assert astcache.cache_dir() is None
