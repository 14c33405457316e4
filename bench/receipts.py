"""Benchmark of receipt rendering: N one-page receipts in one process, as a long-lived worker does.

    .venv/bin/python bench/receipts.py [--n 50] [--out DIR]

Prints the first render (start-up: fonts, CSS, WeasyPrint's caches; a worker process pays it in its
warm-up, see protocollo/apps.py), then the steady state in pages per second, and the peak resident memory
of the process. Uses no database: the context is the made-up one of `protocollo.pdf.contesto_di_prova`.
"""

import argparse
import io
import os
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aminder.settings")
os.environ.pop("DATABASE_URL", None)  # embedded mode: the bench touches no database
os.environ["DJANGO_DEBUG"] = "false"  # as in production: the stylesheet is cached per thread
os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only")

import django

django.setup()

from pypdf import PdfReader  # noqa: E402

from protocollo import pdf as receipts  # noqa: E402


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=50, help="receipts to render after the first one")
    parser.add_argument("--out", type=Path, help="folder where to write the first receipt")
    args = parser.parse_args()

    started = time.perf_counter()
    first = receipts.render_ricevuta(receipts.contesto_di_prova(1))
    first_s = time.perf_counter() - started
    if args.out:
        args.out.mkdir(parents=True, exist_ok=True)
        (args.out / "ricevuta-bench.pdf").write_bytes(first)
    print(f"first receipt (start-up included): {first_s:.2f} s, {len(first) / 1024:.0f} KiB")

    pages, elapsed, cpu = 0, 0.0, 0.0
    for n in range(2, args.n + 2):
        started, started_cpu = time.perf_counter(), time.process_time()
        pdf = receipts.render_ricevuta(receipts.contesto_di_prova(n))
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
