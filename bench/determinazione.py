"""Benchmark of one determinazione at the size of a real tranche: N admissible domande of W workers
adopted in one act, its Flusso B generated and validated against the XSD, and its PDF with the annex.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/aminder_bench .venv/bin/python bench/determinazione.py --n 500 --workers 4

Creates a throw-away test database (`test_<name>` of DATABASE_URL). Prints the time of each step,
the queries of the adoption, and the size of the files.
"""

import argparse
import datetime as dt
import os
import sys
import tempfile
import time
from decimal import Decimal
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
from django.test.utils import CaptureQueriesContext, setup_databases, teardown_databases  # noqa: E402
from django.utils import timezone  # noqa: E402

from autorizzazioni.models import Determinazione  # noqa: E402
from autorizzazioni.services import determinazione_create, determinazione_flusso_b  # noqa: E402
from claims.models import Lavoratore  # noqa: E402
from protocollo import pdf  # noqa: E402
from tests.anagrafica.factories import UserFactory, make_codice_fiscale  # noqa: E402
from tests.autorizzazioni.factories import massimali_e_risorse  # noqa: E402
from tests.claims.factories import DomandaFactory, LavoratoreFactory, MisuraFactory  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=500)
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args()
    old = setup_databases(verbosity=0, interactive=False, keepdb=False)
    try:
        run(args.n, args.workers)
    finally:
        teardown_databases(old, verbosity=0)


def run(n: int, workers: int) -> None:
    massimali_e_risorse((timezone.localdate() - dt.timedelta(days=14)).year, Decimal("82506160"))
    funzionario = UserFactory(username="funzionario", funzionario=True)
    misura = MisuraFactory()
    modello = DomandaFactory(ammissibile=True, misura=misura, lavoratori=[])
    domande = DomandaFactory.create_batch(
        n, ammissibile=True, misura=misura, sede=modello.sede, lavoratori=[]
    )
    Lavoratore.objects.bulk_create(
        LavoratoreFactory.build(domanda=d, codice_fiscale=make_codice_fiscale(i * workers + w))
        for i, d in enumerate(domande)
        for w in range(workers)
    )
    inizio = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        atto = determinazione_create(
            actor=funzionario,
            domande=domande,
            numero=1,
            data=timezone.localdate(),
            tranche="Tranche 1",
            firmatario="X",
        )
    adozione = time.perf_counter() - inizio
    inizio = time.perf_counter()
    xml = determinazione_flusso_b(actor=funzionario, determinazione=atto)
    flusso = time.perf_counter() - inizio
    atto = Determinazione.objects.get(pk=atto.pk)
    inizio = time.perf_counter()
    documento = pdf.render_with_data(
        "autorizzazioni/pdf/determinazione.html",
        {"dati": atto.dati, "data": atto.data, "tipo": "Autorizzazione", "domande": atto.dati["domande"]},
        atto.dati,
    )
    stampa = time.perf_counter() - inizio
    print(f"{n} domande × {workers} lavoratori")
    print(f"adozione dell'atto: {adozione:.2f} s, {len(queries)} query")
    print(f"Flusso B generato e validato: {flusso:.2f} s, {len(xml) / 1024:.0f} KiB")
    print(f"PDF con l'allegato: {stampa:.2f} s, {len(documento) / 1024:.0f} KiB")


if __name__ == "__main__":
    main()
