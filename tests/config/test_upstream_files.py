"""Every upstream `*.conf` loads through the DSL without error (issue 4
acceptance; ruby-subset.md: with package.platform debian, redhat, freebsd,
pkgsrc for the defaults files)."""

import shutil

import pytest

from milter_manager.config.loader import ConfigurationLoader, LoadOptions

from .support import DATA, UPSTREAM

CONFS = sorted(UPSTREAM.rglob("*.conf"))
OWN = sorted(DATA.rglob("*.conf"))


def load(files, load_paths, **options):
    options.setdefault("uid", 0)
    options.setdefault("env", {})
    return ConfigurationLoader(LoadOptions(load_paths=[str(p) for p in load_paths],
                                           files=[str(f) for f in files],
                                           custom_directory=False, **options)).startup()


def test_there_are_upstream_files():
    assert len(CONFS) >= 40


@pytest.mark.parametrize("path", CONFS, ids=[str(p.relative_to(UPSTREAM)) for p in CONFS])
def test_upstream_conf_loads(path, tmp_path):
    # Each file as the only top-level load, with its data directory (for the
    # stock files) or its own directory as load path; defaults/*.conf files
    # need the conditions their detectors would name, so load those first.
    data = UPSTREAM / "data"
    files = [path]
    load_paths = [path.parent, data]
    if path.parent.name == "defaults":
        files = [data / "applicable-conditions" / name for name in
                 sorted(p.name for p in (data / "applicable-conditions").glob("*.conf"))]
        files.append(path)
    config = load(files, load_paths, detector_root=str(tmp_path))
    assert config is not None


@pytest.mark.parametrize("platform", ["debian", "redhat", "redhat7", "freebsd", "pkgsrc"])
@pytest.mark.parametrize("data", [UPSTREAM / "data", DATA], ids=["upstream", "own"])
def test_stock_configuration_on_every_platform(tmp_path, data, platform):
    directory = tmp_path / "etc"
    shutil.copytree(data, directory, ignore=shutil.ignore_patterns("packet"))
    (directory / "milter-manager.local.conf").write_text(
        'package.platform = "unused"\n')
    main = directory / "milter-manager.conf"
    text = main.read_text().replace("load_default", f'package.platform = "{platform}"\nload_default')
    main.write_text(text)
    config = load([main], [directory], detector_root=str(tmp_path / "root"))
    assert config.security.privilege_mode is True          # set by defaults/PLATFORM.conf
    assert len(config.applicable_conditions) == 10
    assert config.eggs == []                                # nothing detected


@pytest.mark.parametrize("path", OWN, ids=[str(p.relative_to(DATA)) for p in OWN])
def test_own_stock_files_parse(path):
    from milter_manager.ruby.parser import parse
    parse(path.read_text(), str(path))
