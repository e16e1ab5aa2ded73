import pytest

from .support import FakeMilter, RunningManager


@pytest.fixture
def milters():
    made = []

    def make(*args, **kwargs):
        milter = FakeMilter(*args, **kwargs)
        made.append(milter)
        return milter
    yield make
    for milter in made:
        milter.close()


@pytest.fixture
def run_manager():
    made = []

    def make(conf, **options):
        running = RunningManager(conf, **options)
        made.append(running)
        return running
    yield make
    for running in made:
        running.stop()
