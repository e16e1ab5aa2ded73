"""`milter-manager` command line (cli.md §1–§4).

The configuration issue implements option parsing for the configuration
options, `--version` and `--show-config`; the daemon issue adds the rest of
the start-up sequence where marked below.
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
    # The daemon (start-up steps 5-15 of cli.md §4) belongs to the daemon issue.
    sys.stderr.write("milter-manager: the daemon is not implemented yet\n")
    return 1


if __name__ == "__main__":
    sys.exit(main())
