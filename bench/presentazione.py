"""Submission, protocol registration and receipts against their floors, measured in the same run on an
Aminder of its own (own PostgreSQL and redis-server on free ports, gunicorn with 3 sync workers, the
production settings: persistent connections, Redis cache and broker; no Celery worker, so the numbering
tasks wait in Redis and do not compete for the CPU).

    .venv/bin/python bench/presentazione.py [--n 200] [--seconds 10] [--receipts 20] [--solo-ricevute]

- submit over HTTP: 8 clients POST `presenta/` on N drafts (each of its own site) vs 8 clients GET the
  DRF read endpoint `domande/{id}/` on the same gunicorn;
- registration: N submitted domande numbered one after the other (1 thread, protocollo_register, what
  the task runs) vs pgbench, 1 client, on the same PostgreSQL: counter upsert + insert in a transaction;
  the numbers taken are checked for gaps and duplicates;
- receipt: in a fresh process that warmed its renderer as a worker process does at start, CPU time of the
  first receipt, of the next ones (each with its own number and QR code), and of the floor, a blank
  one-page WeasyPrint PDF/A-3u without our stylesheet, the two alternated. `--solo-ricevute` runs only
  this part, in the current environment (no database, no stack).

Ends with `RATIO <name> <value> <op> <target> PASS|FAIL` lines (targets of issue 19).
"""

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.drills.drill import presenta  # noqa: E402
from tests.drills.stack import Stack  # noqa: E402

CLIENTS = 8

RICEVUTE = r"""
import json, os, statistics, time
import django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aminder.settings")
django.setup()
from weasyprint import HTML
from protocollo import pdf
inizio = time.process_time(); pdf.warm_up(); riscaldamento = time.process_time() - inizio
def cpu(f):
    inizio = time.process_time(); f(); return time.process_time() - inizio
def bianca():
    # The floor: a blank one-page WeasyPrint PDF, same PDF/A variant, no stylesheet of ours.
    return HTML(string="<p></p>").write_pdf(pdf_variant=pdf.PDF_VARIANT)
ricevute, bianche = [], []
for i in range(N_RICEVUTE):  # alternated, so that the load of the machine weighs on both alike
    contesto = pdf.contesto_di_prova(i + 1)  # its own number, code and QR, not the warm-up's receipt
    ricevute.append(cpu(lambda: pdf.render_ricevuta(contesto)))
    bianche.append(cpu(bianca))
print(json.dumps({"riscaldamento": riscaldamento, "prima": ricevute[0],
                  "altre": statistics.median(ricevute[1:]), "bianca": statistics.median(bianche)}))
"""


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def get(url: str, token: str) -> int:
    import urllib.error
    import urllib.request

    request = urllib.request.Request(url, headers={"Authorization": f"Token {token}"})  # noqa: S310 - http://
    try:
        with urllib.request.urlopen(request, timeout=30) as risposta:  # noqa: S310 - http://
            risposta.read()
            return risposta.status
    except urllib.error.HTTPError as errore:
        return errore.code


def letture_al_secondo(stack: Stack, token: str, pks: list[int], seconds: float) -> float:
    fine = time.monotonic() + seconds
    contate = [0] * CLIENTS

    def cliente(i: int) -> None:
        j = 0
        while time.monotonic() < fine:
            assert get(f"{stack.url}/api/v1/domande/{pks[(i + j) % len(pks)]}/", token) == 200
            contate[i] += 1
            j += CLIENTS

    with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
        list(pool.map(cliente, range(CLIENTS)))
    return sum(contate) / seconds


def presentazioni_al_secondo(stack: Stack, token: str, pks: list[int]) -> tuple[float, float]:
    tempi: list[float] = []
    lock = threading.Lock()

    def una(pk: int) -> None:
        status, secondi = presenta(stack.url, token, pk)
        assert status == 200, status
        with lock:
            tempi.append(secondi)

    inizio = time.monotonic()
    with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
        list(pool.map(una, pks))
    return len(pks) / (time.monotonic() - inizio), statistics.median(tempi)


def pgbench_tps(stack: Stack, seconds: float) -> float:
    stack.sql(
        "CREATE TABLE IF NOT EXISTS bench_contatore (name text PRIMARY KEY, last integer NOT NULL);"
        "CREATE TABLE IF NOT EXISTS bench_registro (id bigserial PRIMARY KEY, anno integer, numero integer,"
        " oggetto text, registrata_il timestamptz, UNIQUE (anno, numero))"
    )
    with tempfile.NamedTemporaryFile("w", suffix=".sql", delete=False) as script:
        script.write(
            "BEGIN;\n"
            "INSERT INTO bench_contatore VALUES ('p', 1) ON CONFLICT (name) "
            "DO UPDATE SET last = bench_contatore.last + 1 RETURNING last \\gset\n"
            "INSERT INTO bench_registro (anno, numero, oggetto, registrata_il) "
            "VALUES (2026, :last, 'Domanda CIGD – Prova S.r.l. – sede Torino', now());\n"
            "END;\n"
        )
    os.chmod(script.name, 0o644)
    out = subprocess.run(
        ["pgbench", "-n", "-c", "1", "-T", str(int(seconds)), "-f", script.name,
         "-h", "127.0.0.1", "-p", str(stack.postgres.port), "-U", "postgres", "aminder"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return float(re.search(r"tps = ([0-9.]+)", out.stdout).group(1))


def registrazioni(stack: Stack, n: int) -> tuple[float, int, int]:
    codice = f"""
import json, os, time
import django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aminder.settings")
django.setup()
from claims.models import Domanda
from protocollo.models import RegistrazioneProtocollo
from protocollo.services import protocollo_register_documento
pks = list(Domanda.objects.filter(registrazione__isnull=True, presentata_il__isnull=False).values_list("pk", flat=True))[:{n}]
domande = [Domanda(pk=pk) for pk in pks]
inizio = time.perf_counter()
for d in domande:
    protocollo_register_documento(d)
secondi = time.perf_counter() - inizio
numeri = list(RegistrazioneProtocollo.objects.values_list("numero", flat=True))
print(json.dumps({{"al_secondo": len(pks) / secondi, "gaps": max(numeri) - min(numeri) + 1 - len(set(numeri)),
                  "duplicati": len(numeri) - len(set(numeri)), "n": len(pks)}}))
"""
    out = subprocess.run(
        [sys.executable, "-c", codice], cwd=ROOT, env=stack.env, capture_output=True, text=True, check=True
    )
    dati = json.loads(out.stdout.strip().splitlines()[-1])
    return dati["al_secondo"], dati["gaps"], dati["duplicati"]


def ricevute(env: dict[str, str], n: int) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, "-c", RICEVUTE.replace("N_RICEVUTE", str(n))],
        cwd=ROOT, env=env, capture_output=True, text=True, check=True,
    )  # fmt: skip
    return json.loads(out.stdout.strip().splitlines()[-1])


def stampa_ricevute(r: dict[str, float]) -> tuple[float, float]:
    print(
        f"receipt render (CPU): first of the process {r['prima'] * 1000:.0f} ms, then {r['altre'] * 1000:.1f} ms; "
        f"warm-up at process start {r['riscaldamento'] * 1000:.0f} ms"
    )
    print(f"  floor: blank one-page WeasyPrint PDF/A-3u, same process: {r['bianca'] * 1000:.1f} ms")
    return r["altre"] / r["bianca"], r["prima"] / r["altre"]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--n", type=int, default=200, help="submissions, registrations")
    parser.add_argument("--seconds", type=float, default=10, help="duration of the read and pgbench runs")
    parser.add_argument("--receipts", type=int, default=20)
    parser.add_argument(
        "--solo-ricevute", action="store_true",
        help="only the receipts, in this environment (no database needed), e.g. while tuning protocollo/pdf.py",
    )  # fmt: skip
    args = parser.parse_args()
    if args.solo_ricevute:
        ratio_ricevuta, ratio_prima = stampa_ricevute(ricevute(dict(os.environ), args.receipts))
        print(f"RATIO receipt_vs_blank_page {ratio_ricevuta:.1f} <= 3 {verdict(ratio_ricevuta <= 3)}")
        print(f"RATIO first_receipt_vs_next {ratio_prima:.2f} <= 1.5 {verdict(ratio_prima <= 1.5)}")
        return
    stack = Stack().start(workers=False)
    try:
        token, pks = stack.seed(args.n)
        letture = letture_al_secondo(stack, token, pks, args.seconds)
        presentazioni, p50 = presentazioni_al_secondo(stack, token, pks)
        # The numbering tasks of those submissions wait in Redis (no worker): numbered here instead.
        floor = pgbench_tps(stack, args.seconds)
        al_secondo, gaps, duplicati = registrazioni(stack, args.n)
        r = ricevute(stack.env, args.receipts)
    finally:
        stack.stop()

    print(f"submit over HTTP, {CLIENTS} clients: {presentazioni:.1f}/s, p50 {p50 * 1000:.0f} ms")
    print(
        f"  floor: DRF read endpoint (domande/{{id}}/) on the same gunicorn, {CLIENTS} clients: {letture:.1f}/s"
    )
    print(f"protocol registration, 1 thread: {al_secondo:.0f}/s (gaps {gaps}, duplicates {duplicati})")
    print(f"  floor: pgbench counter upsert + insert, 1 client: {floor:.0f} tps")
    ratio_ricevuta, ratio_prima = stampa_ricevute(r)
    ratio_submit = presentazioni / letture
    ratio_reg = al_secondo / floor
    print(f"RATIO submit_vs_drf_read {ratio_submit:.2f} >= 0.5 {verdict(ratio_submit >= 0.5)}")
    print(f"RATIO registration_vs_pgbench {ratio_reg:.2f} >= 0.5 {verdict(ratio_reg >= 0.5)}")
    print(f"RATIO registration_gaps {gaps + duplicati} == 0 {verdict(gaps + duplicati == 0)}")
    print(f"RATIO receipt_vs_blank_page {ratio_ricevuta:.1f} <= 3 {verdict(ratio_ricevuta <= 3)}")
    print(f"RATIO first_receipt_vs_next {ratio_prima:.2f} <= 1.5 {verdict(ratio_prima <= 1.5)}")


if __name__ == "__main__":
    main()
