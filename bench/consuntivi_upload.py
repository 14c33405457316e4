"""Benchmark of consuntivo uploads: time and peak memory of checking and sending a file of N lines,
beside the floor measured in the same run (the csv module reading the same file + COPY of its rows).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/aminder_bench .venv/bin/python bench/consuntivi_upload.py
    .venv/bin/python bench/consuntivi_upload.py --lines 10000 50000 --formats csv xlsx [--keepdb] [--runs 3]

Creates a throw-away test database (`test_<name>` of DATABASE_URL; PostgreSQL, for COPY), a domanda
with N workers, and for each size and format a file of N valid lines. The upload is what the worker
and the confirmation do: `caricamento_process` (read, check each line's shape, stage the lines with
COPY, check workers and hour limits over the staged lines in SQL) then `caricamento_conferma`
(re-check the consuntivo under the lock, INSERT … SELECT the lines, snapshot by PostgreSQL).
Each case runs `--runs` times from the same savepoint (the median is shown), then once more under
tracemalloc for the peak of Python memory allocated while processing. The constraints are checked
as each statement ends (`SET CONSTRAINTS ALL IMMEDIATE`): Django's foreign keys are deferred to the
commit, which a run rolled back to its savepoint never reaches, and the checks of 50,000 lines are
part of what an upload costs.

The floor reads the same CSV with `csv.reader` and COPYs (codice fiscale, ore, retribuzione) into a
temporary table: the least any upload of the file costs. The run ends with one line per target:
`RATIO <name> <value> <op> <target> PASS|FAIL` (upload at most 5x the floor at 50,000 CSV lines;
peak under 64 MB).
"""

import argparse
import csv
import io
import os
import resource
import statistics
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
from django.db import connection, transaction  # noqa: E402
from django.test.utils import setup_databases, teardown_databases  # noqa: E402
from openpyxl import Workbook  # noqa: E402

from claims.constants import StatoDomanda  # noqa: E402
from consuntivi.constants import StatoCaricamento  # noqa: E402
from consuntivi.models import RigaConsuntivo  # noqa: E402
from consuntivi.services import caricamento_conferma, caricamento_create, caricamento_process  # noqa: E402
from tests.claims.factories import avanza  # noqa: E402
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
    with connection.cursor() as cursor:
        # Deferred checks of the set-up fire here, before the clock starts.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    if trace:
        tracemalloc.start()
    started = time.perf_counter()
    caricamento = caricamento_process(caricamento_id=caricamento.pk)
    verificato = time.perf_counter()
    if caricamento.stato == StatoCaricamento.VERIFICATO:
        caricamento_conferma(actor=domanda.creata_da, caricamento=caricamento)
        caricamento.refresh_from_db()
    finished = time.perf_counter()
    peak = 0
    if trace:
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    return caricamento, verificato - started, finished - verificato, peak


def floor_once(content: bytes) -> float:
    """csv.reader over the same file + COPY of its three columns into a temporary table."""
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMP TABLE IF NOT EXISTS bench_floor (cf text, ore numeric, retribuzione numeric)"
        )
        reader = csv.reader(
            io.TextIOWrapper(io.BytesIO(content), encoding="utf-8-sig", newline=""), delimiter=";"
        )
        next(reader)
        with cursor.cursor.copy("COPY bench_floor (cf, ore, retribuzione) FROM STDIN") as copy:
            for row in reader:
                copy.write_row((row[0], row[3], row[4].replace(",", ".")))
        elapsed = time.perf_counter() - started
        cursor.execute("DROP TABLE bench_floor")
    return elapsed


def bench(sizes: list[int], formats: list[str], runs: int) -> list[str]:
    print(
        f"{'formato':<8}{'righe':>8}{'file (MB)':>11}{'verifica (s)':>14}{'conferma (s)':>14}{'totale (s)':>12}"
        f"{'righe/s':>10}{'pavimento (s)':>15}{'rapporto':>10}{'picco Python (MB)':>19}  esito"
    )
    ratios: list[str] = []
    # The first cases (200 lines) warm up imports, connections and query plans; they are not shown.
    cases = [(200, f, False) for f in formats] + [(n, f, True) for n in sizes for f in formats]
    for n, formato, show in cases:
        # A fresh domanda per case, in its own transaction: rows rolled back by an earlier case
        # would otherwise still sit in the indexes and slow the next one down.
        with transaction.atomic():
            domanda = domanda_consuntivabile(lavoratori=0, bozza=True)
            lavoratori_in_blocco(domanda, n)
            domanda = avanza(domanda, StatoDomanda.PRESENTATA)
            codici = list(domanda.lavoratori.values_list("codice_fiscale", flat=True))
            content = csv_bytes(codici) if formato == "csv" else xlsx_bytes(codici)
            tempi = []
            for _ in range(runs):
                savepoint = transaction.savepoint()
                caricamento, verifica, conferma, _ = run_once(
                    domanda, f"bench.{formato}", content, trace=False
                )
                inviate = (
                    RigaConsuntivo.objects.filter(consuntivo_id=caricamento.consuntivo_id).count()
                    if caricamento
                    else 0
                )
                esito = f"{caricamento.get_stato_display() if caricamento else '?'}, {inviate} righe"
                transaction.savepoint_rollback(savepoint)
                tempi.append((verifica + conferma, verifica, conferma))
            totale, verifica, conferma = statistics.median_low(tempi)
            floor = statistics.median(floor_once(csv_bytes(codici)) for _ in range(runs))
            savepoint = transaction.savepoint()
            _caricamento, _v, _c, peak = run_once(domanda, f"bench.{formato}", content, trace=True)
            transaction.set_rollback(True)
        if show:
            ratio = totale / floor
            print(
                f"{formato:<8}{n:>8}{len(content) / 2**20:>11.2f}{verifica:>14.2f}{conferma:>14.2f}{totale:>12.2f}"
                f"{n / totale:>10.0f}{floor:>15.3f}{ratio:>10.1f}{peak / 2**20:>19.1f}  {esito}"
            )
            if formato == "csv" and n == 50_000:
                ratios.append(_ratio("consuntivo_upload_50k_vs_copy", ratio, "<=", 5))
                ratios.append(_ratio("consuntivo_upload_50k_peak_mb", peak / 2**20, "<", 64))
            elif formato == "xlsx" and n == 50_000:
                ratios.append(_ratio("consuntivo_upload_xlsx_50k_peak_mb", peak / 2**20, "<", 64))
    maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"\nmemoria residente massima del processo (include la costruzione dei file di prova): {maxrss:.0f} MB"
    )
    return ratios


def _ratio(name: str, value: float, op: str, target: float) -> str:
    ok = value <= target if op == "<=" else value < target
    return f"RATIO {name} {value:.1f} {op} {target} {'PASS' if ok else 'FAIL'}"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--lines", type=int, nargs="+", default=[10_000, 50_000])
    parser.add_argument("--formats", nargs="+", choices=["csv", "xlsx"], default=["csv", "xlsx"])
    parser.add_argument("--runs", type=int, default=3, help="ripetizioni per caso (si mostra la mediana)")
    parser.add_argument(
        "--keepdb", action="store_true", help="riusa il database di prova tra un'esecuzione e l'altra"
    )
    args = parser.parse_args()
    if max(args.lines) > 90_000:
        parser.error("al massimo 90.000 righe (codici fiscali di prova distinti)")
    old_config = setup_databases(verbosity=0, interactive=False, keepdb=args.keepdb)
    try:
        ratios = bench(args.lines, args.formats, args.runs)
    finally:
        teardown_databases(old_config, verbosity=0, keepdb=args.keepdb)
    print()
    for line in ratios:
        print(line)


if __name__ == "__main__":
    main()
