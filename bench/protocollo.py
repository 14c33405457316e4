"""Benchmark of the protocol register: N submitted domande registered by K threads at once, each
thread with its own PostgreSQL connection, as K worker processes would.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/aminder_bench .venv/bin/python bench/protocollo.py
    .venv/bin/python bench/protocollo.py --n 2000 --threads 1 4 16 [--keepdb]

Creates a throw-away test database (Django's test set-up: `test_<name>` of DATABASE_URL), then for each
K: N domande already submitted and waiting for their number, registered with
`claims.services.protocollo.protocollo_register` (what the Celery task runs). Prints registrations per
second, the latency of one registration (median and 95th percentile, lock waits included), and checks
that the numbers taken are consecutive, without gaps or duplicates.
"""

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aminder.settings")
os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only")
os.environ["PRIVATE_MEDIA_ROOT"] = tempfile.mkdtemp(prefix="aminder-bench-")
os.environ.pop("CELERY_BROKER_URL", None)
os.environ.pop("REDIS_URL", None)

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import setup_databases, teardown_databases  # noqa: E402
from django.utils import timezone  # noqa: E402
from sequences import get_last_value  # noqa: E402

from claims.constants import StatoDomanda  # noqa: E402
from claims.models import Domanda, RegistrazioneProtocollo  # noqa: E402
from protocollo.services import anno_di, protocollo_register_documento  # noqa: E402
from tests.claims.factories import DomandaFactory  # noqa: E402


def submitted(n: int, modello: Domanda) -> list[int]:
    adesso = timezone.now()
    domande = [
        Domanda(
            azienda_id=modello.azienda_id,
            sede_id=modello.sede_id,
            misura_id=modello.misura_id,
            creata_da_id=modello.creata_da_id,
            presentata_da_id=modello.creata_da_id,
            data_inizio=modello.data_inizio,
            data_fine=modello.data_fine,
            stato=StatoDomanda.PRESENTATA,
            presentata_il=adesso,
            dati_presentati={
                "bench": i,
                "lavoratori": [{"codice_fiscale": f"CF{i:014d}", "ore": "40.0"}] * 20,
            },
        )
        for i in range(n)
    ]
    return [d.pk for d in Domanda.objects.bulk_create(domande, batch_size=1000)]


def run(pks: list[int], threads: int) -> tuple[float, list[float]]:
    latenze: list[float] = []
    lock = threading.Lock()

    def registra(chunk: list[int]) -> None:
        mie = []
        try:
            for pk in chunk:
                inizio = time.perf_counter()
                protocollo_register_documento(Domanda(pk=pk))
                mie.append(time.perf_counter() - inizio)
        finally:
            connection.close()
        with lock:
            latenze.extend(mie)

    chunks = [pks[i::threads] for i in range(threads)]
    inizio = time.perf_counter()
    with ThreadPoolExecutor(max_workers=threads) as pool:
        list(pool.map(registra, chunks))
    return time.perf_counter() - inizio, latenze


def check(pks: list[int], prima: int) -> str:
    numeri = sorted(
        RegistrazioneProtocollo.objects.filter(domanda__pk__in=pks).values_list("numero", flat=True)
    )
    attesi = list(range(prima + 1, prima + len(pks) + 1))
    if numeri != attesi:
        mancanti = sorted(set(attesi) - set(numeri))[:10]
        doppi = len(numeri) - len(set(numeri))
        return f"ERRORE: {len(numeri)} numeri, mancanti {mancanti}..., duplicati {doppi}"
    return f"ok {prima + 1}..{prima + len(pks)}"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--n", type=int, default=2000, help="documents per run")
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 4, 16, 32])
    parser.add_argument("--keepdb", action="store_true", help="reuse the test database if it exists")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("Serve PostgreSQL: DATABASE_URL=postgres://postgres@127.0.0.1:5432/aminder_bench")

    config = setup_databases(verbosity=0, interactive=False, keepdb=args.keepdb)
    try:
        modello = DomandaFactory(presentata=True)
        print(f"PostgreSQL {connection.pg_version // 10000}, database {connection.settings_dict['NAME']}, "
              f"{args.n} domande per prova")  # fmt: skip
        print(f"{'thread':>6} {'reg/s':>8} {'mediana ms':>11} {'p95 ms':>8}  numeri")
        sequenza = f"protocollo-{anno_di(timezone.now())}"
        for threads in args.threads:
            pks = submitted(args.n, modello)
            prima = get_last_value(sequenza) or 0
            secondi, latenze = run(pks, threads)
            p95 = statistics.quantiles(latenze, n=20)[-1]
            print(
                f"{threads:>6} {args.n / secondi:>8.0f} {statistics.median(latenze) * 1000:>11.2f} "
                f"{p95 * 1000:>8.2f}  {check(pks, prima)}"
            )
    finally:
        teardown_databases(config, verbosity=0, keepdb=args.keepdb)


if __name__ == "__main__":
    main()
