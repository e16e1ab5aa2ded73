"""`milter-manager` command line (cli.md §1–§4).

Parses the options (`options`), prints `--show-config` or runs the daemon
(`milter_manager.daemon.startup`, start-up steps 2–15 of cli.md §4).
"""

from __future__ import annotations

import sys


def _load_options(options):
    from milter_manager.config.loader import LoadOptions
    return LoadOptions(config_dir=options.config_dir, overrides=options.overrides,
                       log_level=options.log_level, log_path=options.log_path,
                       log_path_given=options.log_path_given)


def show_config(options) -> int:
    """show-config.md §1: load, print the dump or the error line."""
    from milter_manager.config import log_level
    from milter_manager.config.dumper import dump_configuration
    from milter_manager.config.errors import ConfigurationError
    from milter_manager.config.loader import ConfigurationLoader
    loader = ConfigurationLoader(_load_options(options))
    for warning in options.warnings:
        loader.log(log_level.WARNING, warning)
    for argument in options.ignored:
        loader.log(log_level.WARNING, f"[manager][option][ignored] <{argument}>")
    try:
        config = loader.startup()
    except ConfigurationError as error:
        sys.stdout.flush()
        sys.stderr.write(f"{error}\n")
        return 1
    sys.stdout.write(dump_configuration(config))
    sys.stdout.flush()
    return 0


def main(argv: list[str] | None = None) -> int:
    from milter_manager.cli.options import (
        EarlyExit,
        OptionError,
        main_exit,
        parse_options,
    )
    argv = sys.argv[1:] if argv is None else argv
    try:
        options = parse_options(argv)
    except EarlyExit as done:
        sys.stdout.write(done.text)
        return 0
    except OptionError as error:
        return main_exit(error)
    if options.show_config:
        return show_config(options)
    from milter_manager.daemon.startup import run_daemon
    return run_daemon(options)


if __name__ == "__main__":
    sys.exit(main())
