"""Short, derandomized fuzz runs of every target (the long runs are
benchmarks/fuzz/run.py). Hypothesis drives each case's `random.Random`, so a
failure shrinks to a small case and replays the same way in CI.

The protocol reader's own fuzz tests are in tests/protocol/test_fuzz.py.
"""

from __future__ import annotations

import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from . import keyfile_target, manager_target, ruby_target


def fuzz(examples: int) -> settings:
    return settings(max_examples=examples, derandomize=True, deadline=None, database=None,
                    suppress_health_check=list(HealthCheck))


randoms = st.randoms(use_true_random=False)


@pytest.fixture(scope="module")
def bench():
    made = manager_target.Bench()
    for seed in range(20):           # warm up: sockets, caches, the first sessions
        made.run_case(random.Random(seed))
    yield made
    made.close()


def test_manager_between_random_mta_and_children(bench):
    before = manager_target.open_descriptors()

    @fuzz(300)
    @given(randoms)
    def case(rng):
        bench.run_case(rng)
    case()
    # Every session's sockets (MTA side and children) were closed: the
    # process holds exactly the descriptors it held before the run.
    assert manager_target.open_descriptors() == before


@pytest.fixture(scope="module")
def ruby_bench():
    # The first case builds the interpreter, which raises the recursion
    # limit: done here, outside hypothesis's run.
    ruby_target.run_case(random.Random(0))


@fuzz(150)
@given(randoms)
def test_ruby_on_mutated_configuration_files(ruby_bench, rng):
    ruby_target.run_case(rng)


@fuzz(300)
@given(randoms)
def test_keyfile_reader_on_mutated_scenarios(rng):
    keyfile_target.run_case(rng)
