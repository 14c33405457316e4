"""Benchmark of the web tier: what one request costs in CPU, for the capacity table of the README.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/aminder_bench .venv/bin/python bench/web.py --n 200

Creates a throw-away test database, a company with a site, and one draft per submission to come, then
runs each kind of request N times in one thread through Django's full stack (middleware, sessions,
templates, DRF; DEBUG off, Redis cache and broker as in production, no network): the pages a company
opens, the API list, and the submission itself, which publishes the numbering task to Redis (no
worker consumes it here: the worker's cost is in bench/presentazione.py). Prints
the median and 95th percentile of wall time and the mean CPU time per request.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aminder.settings")
os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only")
os.environ["DJANGO_DEBUG"] = "false"
os.environ["DJANGO_SECURE_SSL_REDIRECT"] = "false"
os.environ["PRIVATE_MEDIA_ROOT"] = tempfile.mkdtemp(prefix="aminder-bench-")
os.environ.setdefault("BENCH_REDIS_URL", "redis://127.0.0.1:6379/15")
os.environ["REDIS_URL"] = os.environ["CELERY_BROKER_URL"] = os.environ["BENCH_REDIS_URL"]

import django

django.setup()

import redis  # noqa: E402
from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_databases, teardown_databases  # noqa: E402

from anagrafica.services import api_token_regenerate  # noqa: E402
from tests.anagrafica.factories import AziendaFactory, SedeFactory, UserFactory  # noqa: E402
from tests.claims.factories import DomandaFactory  # noqa: E402

BENCH_REDIS = os.environ["BENCH_REDIS_URL"]


def measure(n: int, request: Callable[[int], int]) -> tuple[float, float, float]:
    walls, cpus = [], []
    for i in range(n):
        wall, cpu = time.perf_counter(), time.process_time()
        status = request(i)
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
        if status >= 400:
            raise SystemExit(f"richiesta {i}: HTTP {status}")
    return statistics.median(walls), statistics.quantiles(walls, n=20)[-1], statistics.fmean(cpus)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--n", type=int, default=200, help="requests of each kind")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("Serve PostgreSQL: DATABASE_URL=postgres://postgres@127.0.0.1:5432/aminder_bench")
    settings.ALLOWED_HOSTS = ["testserver"]
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    config = setup_databases(verbosity=0, interactive=False, keepdb=False)
    try:
        mario = UserFactory(first_name="Mario", last_name="Rossi")
        sede = SedeFactory(azienda=AziendaFactory(lr_codice_fiscale=mario.codice_fiscale))
        bozze = [DomandaFactory(sede=sede, creata_da=mario).pk for _ in range(args.n)]
        browser = Client()
        browser.force_login(mario)
        api = Client(headers={"Authorization": f"Token {api_token_regenerate(actor=mario)[1]}"})
        kinds: list[tuple[str, Callable[[int], int]]] = [
            ("pagina iniziale", lambda i: browser.get("/").status_code),
            ("elenco domande", lambda i: browser.get("/domande/").status_code),
            ("dettaglio domanda", lambda i: browser.get(f"/domande/{bozze[i]}/").status_code),
            ("API elenco domande", lambda i: api.get("/api/v1/domande/").status_code),
            ("API presenta", lambda i: api.post(f"/api/v1/domande/{bozze[i]}/presenta/").status_code),
            ("pagina di accesso (anonima)", lambda i: Client().get("/accesso/").status_code),
        ]
        print(f"PostgreSQL {connection.pg_version // 10000}, {args.n} richieste per tipo, un thread")
        print(f"{'richiesta':<28} {'mediana ms':>10} {'p95 ms':>8} {'CPU ms':>8}")
        for name, request in kinds:
            median, p95, cpu = measure(args.n, request)
            print(f"{name:<28} {median * 1000:>10.1f} {p95 * 1000:>8.1f} {cpu * 1000:>8.1f}")
    finally:
        teardown_databases(config, verbosity=0, keepdb=False)
        redis.Redis.from_url(BENCH_REDIS).flushdb()


if __name__ == "__main__":
    main()
