"""`python -m milter_manager.testing …` is the scenario test milter (scenarios.md §7)."""

from milter_manager.testing.scenario_milter import main

if __name__ == "__main__":
    main()
