"""Benchmark of receipt rendering: N one-page receipts in one process, as a long-lived worker does.

    .venv/bin/python bench/receipts.py [--n 50] [--out DIR]

Prints the first render (start-up: fonts, CSS, WeasyPrint's caches), then the steady state in pages per
second, and the peak resident memory of the process. Uses no database: the context is synthetic.
"""

import argparse
import datetime as dt
import io
import os
import resource
import sys
import time
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aminder.settings")
os.environ.pop("DATABASE_URL", None)  # embedded mode: the bench touches no database
os.environ["DJANGO_DEBUG"] = "false"  # as in production: the stylesheet is cached per thread
os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only")

import django

django.setup()

from pypdf import PdfReader  # noqa: E402

from claims import receipts  # noqa: E402


def contesto(n: int) -> dict:
    return {
        "segnatura": f"2026/{n:07d}",
        "registrata_il": dt.datetime(2026, 3, 12, 14, 5, 33, tzinfo=ZoneInfo("Europe/Rome")),
        "presentata_il": dt.datetime(2026, 3, 12, 14, 5, 30, tzinfo=ZoneInfo("Europe/Rome")),
        "tipo_documento": "Domanda",
        "azienda": {
            "ragione_sociale": f"Officine Meccaniche Subalpine {n} S.r.l.",
            "codice_fiscale": "01234567890",
        },
        "sede": {
            "denominazione": "Stabilimento",
            "indirizzo": "Via Po 10",
            "cap": "10124",
            "comune": "Torino",
        },
        "misura": "CIGD COVID-19, DL 18/2020",
        "data_inizio": dt.date(2026, 3, 2),
        "data_fine": dt.date(2026, 4, 3),
        "lavoratori_n": 200,
        "ore_totali": Decimal("8000.0"),
        "referente": {"nome": "Paola Neri", "email": "paola.neri@example.it", "telefono": "011 5550000"},
        "allegati": [{"nome": "Accordo sindacale (PDF)", "sha256": "ab" * 32}],
        "impronta": "cd" * 32,
        "codice_verifica": "7KQ4-M2XP-9TLC",
        "url_verifica": f"https://aminder.regione.piemonte.it/verifica/?protocollo=2026/{n:07d}&codice=7KQ4-M2XP-9TLC",
        "url_verifica_pagina": "https://aminder.regione.piemonte.it/verifica/",
    }


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=50, help="receipts to render after the first one")
    parser.add_argument("--out", type=Path, help="folder where to write the first receipt")
    args = parser.parse_args()

    started = time.perf_counter()
    first = receipts.render_ricevuta(contesto(1))
    first_s = time.perf_counter() - started
    if args.out:
        args.out.mkdir(parents=True, exist_ok=True)
        (args.out / "ricevuta-bench.pdf").write_bytes(first)
    print(f"first receipt (start-up included): {first_s:.2f} s, {len(first) / 1024:.0f} KiB")

    pages, elapsed, cpu = 0, 0.0, 0.0
    for n in range(2, args.n + 2):
        started, started_cpu = time.perf_counter(), time.process_time()
        pdf = receipts.render_ricevuta(contesto(n))
        elapsed += time.perf_counter() - started
        cpu += time.process_time() - started_cpu
        pages += len(PdfReader(io.BytesIO(pdf)).pages)
    print(
        f"{args.n} receipts, {pages} pages in {elapsed:.2f} s: {pages / elapsed:.1f} pages/s, "
        f"{elapsed / args.n * 1000:.0f} ms per receipt"
    )
    # CPU time is what one worker process spends: steadier than wall time on a shared machine.
    print(f"CPU time: {cpu / args.n * 1000:.0f} ms per receipt, {pages / cpu:.1f} pages per CPU-second")
    print(f"peak RSS: {peak_rss_mib():.0f} MiB")


if __name__ == "__main__":
    main()
