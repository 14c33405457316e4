"""How long the indexes of the lists (issue 19) take to build on a loaded database: each one dropped and
built again with CREATE INDEX CONCURRENTLY, as its migration does, timed. Run it on the benchmark
database after `bench/carica_liste.py`, never on a live one.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/aminder_bench_lists .venv/bin/python bench/indici_liste.py
"""

import importlib
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aminder.settings")
os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only")
os.environ.pop("CELERY_BROKER_URL", None)
os.environ.pop("REDIS_URL", None)

import django

django.setup()

from django.apps import apps  # noqa: E402
from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402

MIGRAZIONI = [
    ("claims", "claims.migrations.0015_indici_elenchi"),
    ("anagrafica", "anagrafica.migrations.0006_indici_ricerca"),
    ("protocollo", "protocollo.migrations.0003_indice_numero"),
]


def main() -> None:
    if not settings.DATABASES["default"]["NAME"].startswith("aminder_bench"):
        sys.exit("Solo su un database aminder_bench*: l'indice viene eliminato e ricostruito")
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM claims_domanda")
        print(f"Indici delle liste su {cursor.fetchone()[0]:,} domande")
    totale = 0.0
    for app, modulo in MIGRAZIONI:
        for operazione in importlib.import_module(modulo).Migration.operations:
            if not hasattr(operazione, "index"):
                continue
            model = apps.get_model(app, operazione.model_name)
            with connection.schema_editor(atomic=False) as editor:
                editor.execute(f'DROP INDEX CONCURRENTLY IF EXISTS "{operazione.index.name}"')
                inizio = time.perf_counter()
                editor.add_index(model, operazione.index, concurrently=True)
                secondi = time.perf_counter() - inizio
            totale += secondi
            print(f"  {model._meta.db_table}.{operazione.index.name}: {secondi:.1f} s", flush=True)
    print(f"Totale: {totale:.1f} s")


if __name__ == "__main__":
    main()
