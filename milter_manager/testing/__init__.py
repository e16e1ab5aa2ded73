"""Test tools for milter-manager configurations and for the port itself.

* `scenario_milter`: the configurable child milter of the scenario corpus
  (scenarios.md §7); `python -m milter_manager.testing …` runs it.
* `harness`: the scenario corpus runner behind `compat/scenarios.py`
  (scenarios.md §8–§11).

Kept empty on purpose: the scenario milter is started hundreds of times per
corpus run and must not pay for imports it does not use.
"""
