"""The configuration layer: object model, Ruby DSL, load cycles, `--show-config`.

API for the rest of the port (imports are lazy: `import milter_manager.config`
costs nothing):

Loading (config.md §1–§2, §14)::

    from milter_manager.config import ConfigurationLoader, LoadOptions, ConfigurationError
    loader = ConfigurationLoader(LoadOptions(config_dir=..., overrides=...))
    config = loader.startup()    # start-up: one cycle, or two with a custom directory
    config = loader.reload()     # SIGHUP / controller `reload`
    # Either returns a complete new Configuration or raises ConfigurationError,
    # whose str() is the error line of §14.2. Nothing of a failed cycle applies.

Reading a Configuration (`model.py`): `config.manager.connection_spec`,
`config.manager.parsed_connection_spec` (a `ConnectionSpec`), every item of
`package`, `security`, `log`, `manager`, `controller`, `database` as an
attribute; `config.eggs` (list of `Egg`: name, connection_spec,
parsed_connection_spec, enabled, fallback_status, evaluation_mode,
applicable_conditions, command, command_options, user_name, the timeouts).

Running Ruby at run time (`runtime.py`; each call gets its own step budget,
errors are logged with their Ruby backtrace and never raised):

* `should_stop(config, egg, stage, context, *args) -> bool` — the stoppers of
  §10.3; `stage` in `model.STOPPER_STAGES`; `context` implements
  `library.host.ChildContextHost`; args as documented there;
  `has_stoppers(egg, stage)` to skip the call cheaply;
* `is_connected(config, context) -> bool` — the connection checkers;
  `context` implements `library.host.ConnectionCheckHost`;
* `run_maintained_hooks(config)`, `run_event_loop_created_hooks(config, loop)`;
* `set_log_sink(config, sink)` — where `Milter::Logger` writes from now on;
  a sink is `sink(level_bit, message)`, optionally with `enabled(level_bit)`.

Dumps: `dump_configuration(config) -> str` (`--show-config`),
`to_xml(config) -> str` (controller `get-configuration`).
"""

from __future__ import annotations

from typing import Any

_EXPORTS = {
    "ConfigurationLoader": "milter_manager.config.loader",
    "LoadOptions": "milter_manager.config.loader",
    "load_configuration": "milter_manager.config.loader",
    "ConfigurationError": "milter_manager.config.errors",
    "Configuration": "milter_manager.config.model",
    "Egg": "milter_manager.config.model",
    "ApplicableCondition": "milter_manager.config.model",
    "STOPPER_STAGES": "milter_manager.config.model",
    "Overrides": "milter_manager.config.overrides",
    "ConnectionSpec": "milter_manager.config.connection_spec",
    "parse_connection_spec": "milter_manager.config.connection_spec",
    "dump_configuration": "milter_manager.config.dumper",
    "to_xml": "milter_manager.config.custom_xml",
    "should_stop": "milter_manager.config.runtime",
    "has_stoppers": "milter_manager.config.runtime",
    "is_connected": "milter_manager.config.runtime",
    "run_maintained_hooks": "milter_manager.config.runtime",
    "run_event_loop_created_hooks": "milter_manager.config.runtime",
    "set_log_sink": "milter_manager.config.runtime",
}

__all__ = list(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(name)
    import importlib
    return getattr(importlib.import_module(module), name)
