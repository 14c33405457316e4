"""Benchmark of consuntivo uploads: time and peak memory of validating and sending a file of N lines.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/aminder_bench .venv/bin/python bench/consuntivi_upload.py
    .venv/bin/python bench/consuntivi_upload.py --lines 10000 50000 --formats csv xlsx [--keepdb]

Creates a throw-away test database (Django's test set-up: `test_<name>` of DATABASE_URL, or SQLite in
memory without it), a domanda with N workers, and for each size and format a file of N valid lines.
Each case runs twice from the same savepoint: once for the time, once under tracemalloc for the peak
of Python memory allocated while processing (parsing, validation, the lines kept, the bulk insert).
The upload processing is `consuntivi.services.caricamento_process`, what the Celery worker runs.
"""

import argparse
import io
import os
import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aminder.settings")
os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only")
os.environ["PRIVATE_MEDIA_ROOT"] = tempfile.mkdtemp(prefix="aminder-bench-")
os.environ.pop("CELERY_BROKER_URL", None)
os.environ.pop("REDIS_URL", None)

import django

django.setup()

from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.db import transaction  # noqa: E402
from django.test.utils import setup_databases, teardown_databases  # noqa: E402
from openpyxl import Workbook  # noqa: E402

from consuntivi.services import caricamento_create, caricamento_process  # noqa: E402
from tests.consuntivi.factories import APRILE, domanda_consuntivabile, lavoratori_in_blocco  # noqa: E402


def csv_bytes(codici: list[str]) -> bytes:
    lines = ["codice_fiscale;cognome;nome;ore;retribuzione_mensile"]
    lines += [f"{cf};Cognome;Nome;16;1850,00" for cf in codici]
    return ("\n".join(lines) + "\n").encode()


def xlsx_bytes(codici: list[str]) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Consuntivo")
    sheet.append(["codice_fiscale", "cognome", "nome", "ore", "retribuzione_mensile"])
    for cf in codici:
        sheet.append([cf, "Cognome", "Nome", 16, 1850.0])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def run_once(domanda, name: str, content: bytes, *, trace: bool):
    caricamento = caricamento_create(
        actor=domanda.creata_da, domanda=domanda, mese=APRILE, file=SimpleUploadedFile(name, content)
    )
    if trace:
        tracemalloc.start()
    started = time.perf_counter()
    caricamento = caricamento_process(caricamento_id=caricamento.pk)
    elapsed = time.perf_counter() - started
    peak = 0
    if trace:
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    return caricamento, elapsed, peak


def bench(sizes: list[int], formats: list[str]) -> None:
    print(
        f"{'formato':<8}{'righe':>8}{'file (MB)':>11}{'tempo (s)':>11}{'righe/s':>10}{'picco Python (MB)':>19}  esito"
    )
    # The first cases (200 lines) warm up imports, connections and query plans; they are not shown.
    cases = [(200, f, False) for f in formats] + [(n, f, True) for n in sizes for f in formats]
    for n, formato, show in cases:
        # A fresh domanda per case, in its own transaction: rows rolled back by an earlier case
        # would otherwise still sit in the indexes and slow the next one down.
        with transaction.atomic():
            domanda = domanda_consuntivabile(lavoratori=0)
            lavoratori_in_blocco(domanda, n)
            codici = list(domanda.lavoratori.values_list("codice_fiscale", flat=True))
            content = csv_bytes(codici) if formato == "csv" else xlsx_bytes(codici)
            savepoint = transaction.savepoint()
            caricamento, elapsed, _ = run_once(domanda, f"bench.{formato}", content, trace=False)
            inviate = caricamento.consuntivo.righe.count() if caricamento and caricamento.consuntivo else 0
            esito = f"{caricamento.get_stato_display() if caricamento else '?'}, {inviate} righe"
            transaction.savepoint_rollback(savepoint)
            _caricamento, _elapsed, peak = run_once(domanda, f"bench.{formato}", content, trace=True)
            transaction.set_rollback(True)
        if show:
            print(
                f"{formato:<8}{n:>8}{len(content) / 2**20:>11.2f}{elapsed:>11.2f}{n / elapsed:>10.0f}"
                f"{peak / 2**20:>19.1f}  {esito}"
            )
    maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"\nmemoria residente massima del processo (include la costruzione dei file di prova): {maxrss:.0f} MB"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--lines", type=int, nargs="+", default=[10_000, 50_000])
    parser.add_argument("--formats", nargs="+", choices=["csv", "xlsx"], default=["csv", "xlsx"])
    parser.add_argument(
        "--keepdb", action="store_true", help="riusa il database di prova tra un'esecuzione e l'altra"
    )
    args = parser.parse_args()
    if max(args.lines) > 90_000:
        parser.error("al massimo 90.000 righe (codici fiscali di prova distinti)")
    old_config = setup_databases(verbosity=0, interactive=False, keepdb=args.keepdb)
    try:
        bench(args.lines, args.formats)
    finally:
        teardown_databases(old_config, verbosity=0, keepdb=args.keepdb)


if __name__ == "__main__":
    main()
