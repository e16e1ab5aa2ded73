"""The worked examples of show-config.md §9 and §10, with upstream's stock
files and with our embedded stock configuration: the dumps must be the
spec's text, except (for ours) the location comments of the stock files."""

import re
import shutil

import pytest

from milter_manager.config.dumper import dump_configuration
from milter_manager.config.loader import ConfigurationLoader, LoadOptions, data_dir

from .support import UPSTREAM, spec_code_blocks

STOCK = "/etc/milter-manager"


def example(number):
    heading = {9: "## 9.", 10: "## 10."}[number]
    blocks = spec_code_blocks("show-config.md", heading)
    if number == 9:
        return None, blocks[0]
    return blocks[0], blocks[1]


def install(tmp_path, source, local_conf):
    directory = tmp_path / "etc"
    shutil.copytree(source, directory, ignore=shutil.ignore_patterns("packet"))
    if local_conf is not None:
        (directory / "milter-manager.local.conf").write_text(local_conf)
    return directory


def dump(directory, root):
    options = LoadOptions(load_paths=[str(directory)], custom_directory=False, uid=0,
                          profile="upstream", detector_root=str(root), env={})
    return dump_configuration(ConfigurationLoader(options).startup())


@pytest.mark.parametrize("number", [9, 10])
def test_with_upstream_stock_files(tmp_path, number):
    local_conf, expected = example(number)
    directory = install(tmp_path, UPSTREAM / "data", local_conf)
    (tmp_path / "root").mkdir()
    assert dump(directory, tmp_path / "root") == expected.replace(STOCK, str(directory))


STOCK_COMMENT = re.compile(r"^(\s*)# /etc/milter-manager/(applicable-conditions|defaults)/")


@pytest.mark.parametrize("number", [9, 10])
def test_with_our_embedded_stock_files(tmp_path, number):
    local_conf, expected = example(number)
    directory = install(tmp_path, data_dir(), local_conf)
    (tmp_path / "root").mkdir()
    actual = dump(directory, tmp_path / "root").split("\n")
    wanted = expected.replace(STOCK + "/milter-manager.local.conf",
                              f"{directory}/milter-manager.local.conf").split("\n")
    assert len(actual) == len(wanted)
    for got, want in zip(actual, wanted):
        stock = STOCK_COMMENT.match(want)
        if stock:
            # our own stock file, some line of it
            assert re.fullmatch(rf"{stock.group(1)}# {re.escape(str(directory))}/"
                                rf"{stock.group(2)}/[a-z0-9-]+\.conf:[1-9][0-9]*", got), got
        else:
            assert got == want


def test_embedded_configuration_without_any_configuration_directory(tmp_path):
    """config.md §2.1: no configuration directory at all → the package's
    stock files, locations pointing to the installed package files."""
    (tmp_path / "root").mkdir()
    options = LoadOptions(install_config_dir=str(tmp_path / "nonexistent"),
                          custom_directory=False, uid=0, detector_root=str(tmp_path / "root"),
                          env={})
    loader = ConfigurationLoader(options)
    assert loader.base_load_paths() == [data_dir()]
    text = dump_configuration(loader.startup())
    _, expected = example(9)
    assert [line for line in text.split("\n") if not line.lstrip().startswith("#")] == \
        [line for line in expected.split("\n") if not line.lstrip().startswith("#")]
    assert f"# {data_dir()}/defaults/debian.conf:" in text


def test_embedded_configuration_is_never_mixed_with_an_existing_directory(tmp_path):
    (tmp_path / "etc").mkdir()
    options = LoadOptions(install_config_dir=str(tmp_path / "etc"), env={})
    assert ConfigurationLoader(options).base_load_paths() == [str(tmp_path / "etc")]
