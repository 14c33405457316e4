"""A real Celery worker for the tests marked `worker`: a `celery -A aminder worker` subprocess on the
test Redis database and on the test PostgreSQL database pytest-django created. The tests use a
transactional database so what they write is committed and visible to the worker."""

import os
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
import redis
from django.db import connection

from tests.processi import GruppoDiProcessi, wait_for

ROOT = Path(__file__).resolve().parents[2]
BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
# Nothing listens here: a broker that is down.
UNREACHABLE_BROKER_URL = "redis://127.0.0.1:6390/0"
# Every queue of aminder.settings.CELERY_TASK_ROUTES, as `make worker` consumes them.
ALL_QUEUES = "protocollo,ricevute,caricamenti,celery"


def database_url() -> str:
    s = connection.settings_dict
    credenziali = quote(s["USER"] or "", safe="")
    if s["PASSWORD"]:
        credenziali += ":" + quote(s["PASSWORD"], safe="")
    return f"postgres://{credenziali}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


class Worker(GruppoDiProcessi):
    """One `celery worker` process group; `stop` is a warm shutdown, `kill` is kill -9 of all of it."""

    def __init__(self, env: dict[str, str], log: Path, *, queues: str = ALL_QUEUES, concurrency: int = 2):
        self.env, self.log = env, log
        self.queues, self.concurrency = queues, concurrency
        self.name = f"proto-{uuid.uuid4().hex[:8]}"
        self.proc = None

    def start(self) -> "Worker":
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "celery", "-A", "aminder", "worker", "--pool=prefork", f"--concurrency={self.concurrency}", "-Q", self.queues,
                 "-n", f"{self.name}@%h", "--without-mingle", "--without-gossip", "--without-heartbeat",
                 "--loglevel=INFO"],
                cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
            )  # fmt: skip
        wait_for(lambda: self.ready() or self.proc.poll() is not None, "il worker non è partito", 60)
        if not self.ready():
            raise RuntimeError(f"Il worker non è partito:\n{self.output()}")
        return self

    def ready(self) -> bool:
        return f"{self.name}@" in self.output() and " ready." in self.output()

    def children(self) -> list[int]:
        assert self.proc is not None
        figli = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children").read_text().split()
        return [int(pid) for pid in figli]


@pytest.fixture(scope="module")
def worker_env(django_db_setup, django_db_blocker, tmp_path_factory) -> dict[str, str]:
    if not BROKER_URL.startswith("redis://"):
        pytest.skip("servono Redis e PostgreSQL: `make test` li avvia")
    with django_db_blocker.unblock():
        if connection.vendor != "postgresql":
            pytest.skip("i test con il worker usano PostgreSQL")
        url = database_url()
    return {
        **os.environ,
        "DATABASE_URL": url,
        "CELERY_BROKER_URL": BROKER_URL,
        "REDIS_URL": BROKER_URL,
        "EMAIL_URL": "dummymail://",
        "PRIVATE_MEDIA_ROOT": str(tmp_path_factory.mktemp("worker-private")),
        "DJANGO_SECRET_KEY": os.environ.get("DJANGO_SECRET_KEY", "test-only"),
        "DJANGO_DEBUG": "false",
        # The worker runs Django's system checks at start, as in production: they must pass there too.
    }


@pytest.fixture
def empty_broker() -> None:
    """Each test starts with no message left over from another (the Redis db is this checkout's)."""
    redis.Redis.from_url(BROKER_URL).flushdb()


@pytest.fixture
def start_worker(worker_env, empty_broker, tmp_path) -> Iterator[Callable[[], Worker]]:
    started: list[Worker] = []

    def start(**kwargs) -> Worker:
        worker = Worker(worker_env, tmp_path / f"worker-{len(started)}.log", **kwargs).start()
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.stop()


@pytest.fixture
def celery_worker(start_worker) -> Worker:
    return start_worker()
