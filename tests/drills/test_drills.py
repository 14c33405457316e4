"""Short fault drills on an Aminder of their own (own PostgreSQL and redis-server on free ports,
gunicorn, the two production workers, a sweep every 3 s): `make drills` runs the long ones."""

import shutil

import pytest

from .drill import run
from .stack import Stack

pytestmark = pytest.mark.drill

N = 20


@pytest.fixture
def stack():
    """A fresh stack for each drill, as `make drills` does (half a minute to start)."""
    if not shutil.which("initdb") or not shutil.which("redis-server"):
        pytest.skip("servono initdb e redis-server")
    stack = Stack().start()
    yield stack
    stack.stop()
    shutil.rmtree(stack.folder, ignore_errors=True)  # PostgreSQL's files: about 50 MB a drill


def test_redis_down_during_submissions_answers_all_in_time_and_loses_nothing(stack):
    esito = run(stack, "redis", n=N, duration=10, fault_at=2, fault_for=5)

    assert esito.answered_2xx == N and esito.errors_seen == 0, esito.lines()  # not one 500, no retry needed
    assert esito.during_fault > 0, esito.lines()
    assert esito.slowest < 5, esito.lines()
    assert (esito.saved, esito.registered, esito.receipted) == (N, N, N), esito.lines()
    assert (esito.gaps, esito.duplicates) == (0, 0), esito.lines()


def test_workers_killed_mid_batch_lose_nothing(stack):
    esito = run(stack, "worker", n=N, duration=10, fault_at=3, fault_for=3)

    assert esito.answered_2xx == N and esito.errors_seen == 0, esito.lines()
    assert (esito.saved, esito.registered, esito.receipted) == (N, N, N), esito.lines()
    assert (esito.gaps, esito.duplicates) == (0, 0), esito.lines()


def test_postgres_restarted_under_load_loses_nothing(stack):
    esito = run(stack, "postgres", n=N, duration=10, fault_at=3, fault_for=0)

    # A request caught by the restart is refused whole (503) and retried with its Idempotency-Key.
    assert esito.answered_2xx == N, esito.lines()
    assert set(esito.statuses) <= {"503", "0"}, esito.lines()
    assert (esito.saved, esito.registered, esito.receipted) == (N, N, N), esito.lines()
    assert (esito.gaps, esito.duplicates) == (0, 0), esito.lines()
