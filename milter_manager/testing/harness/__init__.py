"""The scenario corpus harness (scenarios.md §2–§11), behind `compat/scenarios.py`.

A fake MTA on a real loopback socket drives the manager under test (in this
process or as the `milter-manager` daemon); the children are real scenario test
milters (`milter_manager.testing.scenario_milter`) on their own ports.
"""
