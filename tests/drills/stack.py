"""A whole Aminder of its own for the fault drills: its own PostgreSQL (initdb, as user postgres when
run as root) and its own redis-server (append-only, as in docker-compose.yml) on free ports, the
migrated schema, gunicorn, the two Celery workers of production (numbering alone; receipts and the
rest) and a sweeper that does what beat does, every few seconds instead of every minute.

Nothing here touches the shared PostgreSQL or Redis: drills stop, kill and restart what they started,
by process id. Used by `bench/drills.py` (make drills) and `tests/drills/` (marker `drill`)."""

import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

from tests.processi import GruppoDiProcessi, wait_for

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
BIN = Path(PYTHON).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _as_postgres(cmd: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *cmd] if os.geteuid() == 0 else cmd


class Postgres:
    def __init__(self, folder: Path):
        self.data, self.port = folder / "pgdata", free_port()
        self.log = folder / "postgres.log"
        folder.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(folder, "postgres", "postgres")

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/aminder"

    def init(self) -> None:
        subprocess.run(
            _as_postgres(["initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8"]),
            check=True, capture_output=True,
        )  # fmt: skip
        self.start()
        subprocess.run(
            _as_postgres(["createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "aminder"]),
            check=True, capture_output=True,
        )  # fmt: skip

    def _ctl(self, *args: str) -> None:
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.data} -c fsync=off -c max_connections=100"
        )
        subprocess.run(
            _as_postgres(["pg_ctl", "-D", str(self.data), "-l", str(self.log), "-o", options, "-w", "-t", "60", *args]),
            check=True, capture_output=True,
        )  # fmt: skip

    def start(self) -> None:
        self._ctl("start")

    def restart(self) -> None:
        self._ctl("-m", "fast", "restart")

    def stop(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):
            self._ctl("-m", "immediate", "stop")


class Redis:
    def __init__(self, folder: Path):
        self.folder, self.port = folder / "redis", free_port()
        self.folder.mkdir(parents=True, exist_ok=True)
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.folder),
             "--appendonly", "yes", "--appendfsync", "everysec", "--save", ""],
            stdout=(self.folder / "redis.log").open("ab"), stderr=subprocess.STDOUT,
        )  # fmt: skip
        wait_for(self.ping, "redis-server non risponde", 20)

    def ping(self) -> bool:
        with (
            contextlib.suppress(OSError),
            socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as s,
        ):
            s.sendall(b"PING\r\n")
            return s.recv(16).startswith(b"+PONG")
        return False

    def stop(self) -> None:
        """As `docker compose stop redis`: SIGTERM, the append-only file is flushed, the process exits."""
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=30)


class Process(GruppoDiProcessi):
    """An app process (gunicorn, a worker, the sweeper) in its own process group."""

    def __init__(self, name: str, cmd: list[str], env: dict[str, str], folder: Path):
        self.name, self.cmd, self.env = name, cmd, env
        self.log = folder / f"{name}.log"
        self.proc = None

    def start(self) -> "Process":
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(
                self.cmd, cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )
        return self


class Stack:
    def __init__(self, folder: Path | None = None, *, sweep_every: float = 3.0):
        self.folder = folder or Path(tempfile.mkdtemp(prefix="aminder-drill-"))
        os.chmod(self.folder, 0o755)  # noqa: S103 - PostgreSQL runs as postgres and must reach its folder
        self.postgres = Postgres(self.folder / "pg")
        self.redis = Redis(self.folder)
        self.web_port = free_port()
        self.sweep_every = sweep_every
        self.processes: dict[str, Process] = {}
        self.riavvii: dict[str, int] = {}  # workers that exited on their own and were started again
        self._supervisione = threading.Lock()
        self._fermo = threading.Event()
        self._workers_attesi = False
        self._supervisore: threading.Thread | None = None
        redis_url = f"redis://127.0.0.1:{self.redis.port}"
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "AMINDER_", "CELERY_"))},
            "DATABASE_URL": self.postgres.url,
            "REDIS_URL": f"{redis_url}/0",
            "CELERY_BROKER_URL": f"{redis_url}/1",
            "DJANGO_SECRET_KEY": "drill-only",
            "DJANGO_DEBUG": "false",
            "DJANGO_SECURE_SSL_REDIRECT": "false",
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "PRIVATE_MEDIA_ROOT": str(self.folder / "private"),
            "EMAIL_URL": "dummymail://",
            "PYTHONPATH": str(ROOT),
        }

    # --- life cycle ------------------------------------------------------------------------------

    def start(self, *, web: bool = True, workers: bool = True) -> "Stack":
        self.postgres.init()
        self.redis.start()
        self.manage("migrate", "--noinput", "-v", "0")
        if web:
            self.start_web()
        if not workers:
            return self
        self.start_workers()
        self.processes["sweeper"] = Process(
            "sweeper", [PYTHON, "-m", "tests.drills.sweeper", str(self.sweep_every)], self.env, self.folder
        ).start()
        return self

    def manage(self, *args: str) -> str:
        result = subprocess.run(
            [PYTHON, "manage.py", *args], cwd=ROOT, env=self.env, capture_output=True, text=True, check=False
        )
        if result.returncode:
            raise RuntimeError(f"manage.py {' '.join(args)}:\n{result.stderr[-3000:]}")
        return result.stdout

    def start_web(self) -> None:
        web = Process(
            "web",
            [str(BIN / "gunicorn"), "aminder.wsgi:application", "--bind", f"127.0.0.1:{self.web_port}",
             "--workers", "3", "--timeout", "60", "--graceful-timeout", "5"],
            self.env, self.folder,
        ).start()  # fmt: skip
        self.processes["web"] = web
        wait_for(self.web_ready, "gunicorn non risponde", 60)

    def web_ready(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.url}/health/live/", timeout=2) as r:  # noqa: S310 - http://
                return r.status == 200
        except (OSError, urllib.error.URLError):
            return False

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.web_port}"

    WORKERS = (("worker-protocollo", "protocollo", 1), ("worker", "ricevute,caricamenti,celery", 2))

    def _start_worker(self, name: str, queues: str, concurrency: int) -> Process:
        log = self.folder / f"{name}.log"
        if log.exists():  # the previous process's log is kept beside
            log.rename(log.with_suffix(f".{time.monotonic_ns()}.log"))
        worker = Process(
            name,
            [PYTHON, "-m", "celery", "-A", "aminder", "worker", "-Q", queues, f"--concurrency={concurrency}",
             "-n", f"{name}-{time.monotonic_ns()}@%h", "--without-mingle", "--without-gossip",
             "--without-heartbeat", "--loglevel=INFO"],
            self.env, self.folder,
        ).start()  # fmt: skip
        self.processes[name] = worker
        return worker

    def start_workers(self) -> None:
        with self._supervisione:
            for name, queues, concurrency in self.WORKERS:
                self._start_worker(name, queues, concurrency)
            self._workers_attesi = True
        for name, _q, _c in self.WORKERS:
            wait_for(lambda n=name: " ready." in self.processes[n].output(), f"{name} non è partito", 90)
        if self._supervisore is None:
            self._supervisore = threading.Thread(target=self._supervisiona, daemon=True)
            self._supervisore.start()

    def _supervisiona(self) -> None:
        """What `restart: unless-stopped` (compose) and the Deployment (Kubernetes) do: a worker that
        exits on its own is started again; the drill reports how many times."""
        while not self._fermo.wait(1):
            with self._supervisione:
                if not self._workers_attesi:
                    continue
                for name, queues, concurrency in self.WORKERS:
                    proc = self.processes[name].proc
                    if proc is not None and proc.poll() is not None:
                        self.riavvii[name] = self.riavvii.get(name, 0) + 1
                        self._start_worker(name, queues, concurrency)

    def kill_workers(self) -> None:
        with self._supervisione:
            self._workers_attesi = False
            for name, _q, _c in self.WORKERS:
                self.processes[name].kill()

    def stop(self) -> None:
        self._fermo.set()
        with self._supervisione:
            self._workers_attesi = False
        for process in reversed(list(self.processes.values())):
            process.stop()
        self.redis.stop()
        self.postgres.stop()

    # --- data --------------------------------------------------------------------------------------

    def seed(self, n: int) -> tuple[str, list[int]]:
        """A company with a site, its legal representative's API token and `n` drafts ready to submit."""
        out = subprocess.run(
            [PYTHON, "-m", "tests.drills.seed", str(n)], cwd=ROOT, env=self.env, capture_output=True, text=True,
            check=False,
        )  # fmt: skip
        if out.returncode:
            raise RuntimeError(out.stderr[-3000:])
        dati = json.loads(out.stdout.strip().splitlines()[-1])
        return dati["token"], dati["pks"]

    def sql(self, query: str) -> list[tuple[str, ...]]:
        out = subprocess.run(
            ["psql", "-h", "127.0.0.1", "-p", str(self.postgres.port), "-U", "postgres", "-d", "aminder",
             "-At", "-F", "\t", "-c", query],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
        return [tuple(line.split("\t")) for line in out.stdout.splitlines() if line]
