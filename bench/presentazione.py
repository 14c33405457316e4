"""Submission, protocol registration and receipts against their floors, measured in the same run on an
Aminder of its own (own PostgreSQL and redis-server on free ports, gunicorn with 3 sync workers, the
production settings: persistent connections, Redis cache and broker; no Celery worker, so the numbering
tasks wait in Redis and do not compete for the CPU).

    .venv/bin/python bench/presentazione.py [--n 200] [--seconds 10] [--receipts 20]
                                            [--solo-ricevute | --solo-registrazioni]

- submit over HTTP: 8 clients POST `presenta/` on N drafts (each of its own site) vs 8 clients GET the
  DRF read endpoint `domande/{id}/` on the same gunicorn;
- registration: submitted domande (the N above, copied in SQL up to --registrations) numbered one after
  the other by `protocollo_register_nuova` (what the task runs), in --rounds rounds alternating with
  the floor, so both see the same load of the machine: pgbench, 1 client, over TCP like Django, simple
  protocol (Django binds parameters client-side and prepares nothing), one counter UPDATE + one INSERT
  per transaction into copies of `sequences_sequence` and of the register (same columns, same
  indexes). Beside it, the same two statements sent by Django's own connection (what any Django code
  pays for the driver and the round trips). Then 4 threads at once, each with its own connection, as
  4 worker processes would, and the task itself (registration, then the receipt request published to
  Redis); every number of the year is checked for gaps and duplicates;
- receipt: in a fresh process that warmed its renderer as a worker process does at start, CPU time of the
  first receipt, of the next ones (each with its own number and QR code), and of the floor, a blank
  one-page WeasyPrint PDF/A-3u without our stylesheet, the two alternated. `--solo-ricevute` runs only
  this part, in the current environment (no database, no stack).

`--solo-registrazioni` runs only the registration part (its stack, --n submissions to copy from, no
read run, no receipts), e.g. while tuning the register.

Ends with `RATIO <name> <value> <op> <target> PASS|FAIL` lines (targets of issue 19).
"""

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess  # nosec B404 - fixed argument lists, no shell
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

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
        with urllib.request.urlopen(request, timeout=30) as risposta:  # noqa: S310 - http://  # nosec B310
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
            assert get(f"{stack.url}/api/v1/domande/{pks[(i + j) % len(pks)]}/", token) == 200  # nosec B101 - a benchmark stops on a wrong answer
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
        assert status == 200, status  # nosec B101 - as above
        with lock:
            tempi.append(secondi)

    inizio = time.monotonic()
    with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
        list(pool.map(una, pks))
    return len(pks) / (time.monotonic() - inizio), statistics.median(tempi)


def registrazioni(stack: Stack, documenti: int, rounds: int, seconds: float) -> dict[str, float]:
    out = subprocess.run(  # nosec B603 - this script itself, fixed arguments
        [sys.executable, __file__, "--interno-registrazioni", json.dumps([documenti, rounds, seconds])],
        cwd=ROOT, env=stack.env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    if out.returncode:
        raise RuntimeError(out.stderr[-3000:])
    return json.loads(out.stdout.strip().splitlines()[-1])


FLOOR_SQL = """
CREATE TABLE IF NOT EXISTS bench_contatore (LIKE sequences_sequence INCLUDING ALL);
CREATE TABLE IF NOT EXISTS bench_registro (LIKE claims_registrazioneprotocollo INCLUDING ALL);
INSERT INTO bench_contatore (name, last) VALUES ('p', 0) ON CONFLICT DO NOTHING;
"""
# One counter UPDATE + one INSERT of a registration-sized row, as the register does.
PGBENCH_SCRIPT = """BEGIN;
UPDATE bench_contatore SET last = last + 1 WHERE name = 'p' RETURNING last \\gset
INSERT INTO bench_registro (anno, numero, registrata_il, tipo_documento, oggetto, impronta, codice_verifica) VALUES (2026, :last, now(), 'DOMANDA', 'Domanda CIGD – Officine Prova S.r.l. – sede Stabilimento, Torino', md5(:last::text) || md5(:last::text), 'B' || :last);
END;
"""


def _interno_registrazioni(documenti: int, rounds: int, seconds: float) -> None:
    """Run inside the stack's environment (a process of its own, as a worker is)."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aminder.settings")
    django.setup()
    from django.db import connection, transaction
    from django.utils import timezone

    from claims.models import Domanda
    from protocollo.models import RegistrazioneProtocollo
    from protocollo.services import protocollo_register_nuova

    def in_attesa() -> list[int]:
        qs = Domanda.objects.filter(registrazione__isnull=True, presentata_il__isnull=False)
        return list(qs.order_by("pk").values_list("pk", flat=True))

    with connection.cursor() as cursor:
        cursor.execute(FLOOR_SQL)
        mancano = documenti - len(in_attesa())
        if mancano > 0:  # copies of the submitted domande, each a document of its own
            colonne = [
                f.column
                for f in Domanda._meta.concrete_fields
                if f.column not in ("id", "registrazione_id", "sostituisce_id")
            ]
            lista = ", ".join(connection.ops.quote_name(c) for c in colonne)
            copia = (
                f"INSERT INTO claims_domanda ({lista}) SELECT {lista} FROM claims_domanda, "  # noqa: S608 - the model's column names, quoted  # nosec B608
                "generate_series(1, %s) WHERE registrazione_id IS NULL AND presentata_il IS NOT NULL ORDER BY id LIMIT %s"
            )
            cursor.execute(copia, [mancano, mancano])
    pks = in_attesa()
    singolo, concorrente = pks[: len(pks) * 3 // 4], pks[len(pks) * 3 // 4 :]
    concorrente, con_task = concorrente[: len(concorrente) // 2], concorrente[len(concorrente) // 2 :]
    porta = connection.settings_dict["PORT"]
    with tempfile.NamedTemporaryFile("w", suffix=".sql", delete=False) as script:
        script.write(PGBENCH_SCRIPT)
    os.chmod(script.name, 0o644)

    def pgbench() -> float:
        out = subprocess.run(  # nosec B603 B607 - pgbench from the PATH, as tests/drills start PostgreSQL's tools
            ["pgbench", "-n", "-M", "simple", "-c", "1", "-T", str(max(1, round(seconds))), "-f", script.name,
             "-h", "127.0.0.1", "-p", str(porta), "-U", "postgres", connection.settings_dict["NAME"]],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
        return float(re.search(r"tps = ([0-9.]+)", out.stdout).group(1))

    def stesse_istruzioni(n: int) -> float:
        inizio = time.perf_counter()
        for i in range(n):
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("UPDATE bench_contatore SET last = last + 1 WHERE name = 'p' RETURNING last")
                (ultimo,) = cursor.fetchone()
                cursor.execute(
                    "INSERT INTO bench_registro (anno, numero, registrata_il, tipo_documento, oggetto, impronta,"
                    " codice_verifica) VALUES (%s, %s, %s, %s, %s, %s, %s)",
                    [
                        2026,
                        ultimo,
                        timezone.now(),
                        "DOMANDA",
                        f"Domanda CIGD – prova {i}",
                        "ab" * 32,
                        f"P{ultimo}",
                    ],
                )
        return n / (time.perf_counter() - inizio)

    def registra(lotto: list[int]) -> float:
        inizio = time.perf_counter()
        for pk in lotto:
            protocollo_register_nuova(tipo="DOMANDA", pk=pk)
        return len(lotto) / (time.perf_counter() - inizio)

    protocollo_register_nuova(tipo="DOMANDA", pk=singolo.pop())  # the function's first call compiles it
    per_round = max(1, len(singolo) // rounds)
    giri = []
    for r in range(rounds):
        floor = pgbench()
        aminder = registra(singolo[r * per_round : (r + 1) * per_round])
        django_sql = stesse_istruzioni(per_round)
        giri.append((aminder, floor, django_sql))
    # The task: the same registration, then the receipt request published to Redis.
    from protocollo.tasks import registra_documento

    inizio = time.perf_counter()
    for pk in con_task:
        registra_documento("DOMANDA", pk)
    task = len(con_task) / (time.perf_counter() - inizio)
    connection.close()

    def in_thread(lotto: list[int]) -> None:
        try:
            for pk in lotto:
                protocollo_register_nuova(tipo="DOMANDA", pk=pk)
        finally:
            connection.close()

    inizio = time.perf_counter()
    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(in_thread, [concorrente[i::4] for i in range(4)]))
    quattro = len(concorrente) / (time.perf_counter() - inizio)

    numeri = list(
        RegistrazioneProtocollo.objects.filter(anno=timezone.now().year).values_list("numero", flat=True)
    )
    print(json.dumps({
        "al_secondo": statistics.median(g[0] for g in giri),
        "floor": statistics.median(g[1] for g in giri),
        "stesse_istruzioni": statistics.median(g[2] for g in giri),
        "ratio": statistics.median(g[0] / g[1] for g in giri),
        "giri": giri,
        "quattro_thread": quattro,
        "task": task,
        "n": len(numeri),
        "gaps": max(numeri) - min(numeri) + 1 - len(set(numeri)),
        "duplicati": len(numeri) - len(set(numeri)),
    }))  # fmt: skip


def ricevute(env: dict[str, str], n: int) -> dict[str, float]:
    out = subprocess.run(  # nosec B603 - the interpreter, fixed arguments
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


def banco() -> Stack:
    stack = Stack()
    # The read run and the submissions share one token: at the API's 600 a minute, a quiet machine's
    # reads alone used it up and the submissions were answered 429.
    stack.env["API_RATE_USER"] = "1000000/min"
    return stack


def solo_registrazioni(args: argparse.Namespace) -> dict[str, Any]:
    stack = banco().start(workers=False)
    try:
        token, pks = stack.seed(args.n)
        presentazioni_al_secondo(stack, token, pks)
        return registrazioni(stack, args.registrations, args.rounds, 2)
    finally:
        stack.stop()
        shutil.rmtree(stack.folder, ignore_errors=True)  # its PostgreSQL's files: about 120 MB a run


def stampa_registrazioni(reg: dict[str, Any], rounds: int) -> None:
    print(
        f"protocol registration, 1 thread: {reg['al_secondo']:.0f}/s (median of {rounds} rounds: "
        + ", ".join(f"{a:.0f}" for a, _f, _d in reg["giri"])
        + f"); 4 threads: {reg['quattro_thread']:.0f}/s; {reg['n']} numbers, gaps {reg['gaps']}, "
        f"duplicates {reg['duplicati']}"
    )
    print(
        f"  floor: pgbench, 1 client, counter UPDATE + INSERT: {reg['floor']:.0f} tps ("
        + ", ".join(f"{f:.0f}" for _a, f, _d in reg["giri"])
        + ")"
    )
    print(f"  the same two statements through Django's connection: {reg['stesse_istruzioni']:.0f}/s")
    print(f"  the task, 1 thread (registration + receipt request published to Redis): {reg['task']:.0f}/s")


def stampa_ratio_registrazioni(reg: dict[str, Any]) -> None:
    ratio, gaps = reg["ratio"], reg["gaps"] + reg["duplicati"]
    print(f"RATIO registration_vs_pgbench {ratio:.2f} >= 0.5 {verdict(ratio >= 0.5)}")
    print(f"RATIO registration_gaps {gaps} == 0 {verdict(gaps == 0)}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--n", type=int, default=200, help="submissions")
    parser.add_argument("--seconds", type=float, default=10, help="duration of the read run")
    parser.add_argument("--registrations", type=int, default=2000, help="documents numbered")
    parser.add_argument(
        "--rounds", type=int, default=5, help="registration rounds, each beside a pgbench run"
    )
    parser.add_argument("--receipts", type=int, default=20)
    parser.add_argument("--interno-registrazioni", help=argparse.SUPPRESS)
    parser.add_argument(
        "--solo-ricevute", action="store_true",
        help="only the receipts, in this environment (no database needed), e.g. while tuning protocollo/pdf.py",
    )  # fmt: skip
    parser.add_argument(
        "--solo-registrazioni", action="store_true",
        help="only the registrations (with their stack and the --n submissions they are copied from)",
    )  # fmt: skip
    args = parser.parse_args()
    if args.interno_registrazioni:
        _interno_registrazioni(*json.loads(args.interno_registrazioni))
        return
    if args.solo_ricevute:
        ratio_ricevuta, ratio_prima = stampa_ricevute(ricevute(dict(os.environ), args.receipts))
        print(f"RATIO receipt_vs_blank_page {ratio_ricevuta:.1f} <= 3 {verdict(ratio_ricevuta <= 3)}")
        print(f"RATIO first_receipt_vs_next {ratio_prima:.2f} <= 1.5 {verdict(ratio_prima <= 1.5)}")
        return
    if args.solo_registrazioni:
        reg = solo_registrazioni(args)
        stampa_registrazioni(reg, args.rounds)
        stampa_ratio_registrazioni(reg)
        return
    stack = banco().start(workers=False)
    try:
        token, pks = stack.seed(args.n)
        letture = letture_al_secondo(stack, token, pks, args.seconds)
        presentazioni, p50 = presentazioni_al_secondo(stack, token, pks)
        # The numbering tasks of those submissions wait in Redis (no worker): numbered here instead.
        reg = registrazioni(stack, args.registrations, args.rounds, 2)
        r = ricevute(stack.env, args.receipts)
    finally:
        stack.stop()
        shutil.rmtree(stack.folder, ignore_errors=True)  # its PostgreSQL's files: about 120 MB a run

    print(f"submit over HTTP, {CLIENTS} clients: {presentazioni:.1f}/s, p50 {p50 * 1000:.0f} ms")
    print(
        f"  floor: DRF read endpoint (domande/{{id}}/) on the same gunicorn, {CLIENTS} clients: {letture:.1f}/s"
    )
    stampa_registrazioni(reg, args.rounds)
    ratio_ricevuta, ratio_prima = stampa_ricevute(r)
    ratio_submit = presentazioni / letture
    print(f"RATIO submit_vs_drf_read {ratio_submit:.2f} >= 0.5 {verdict(ratio_submit >= 0.5)}")
    stampa_ratio_registrazioni(reg)
    print(f"RATIO receipt_vs_blank_page {ratio_ricevuta:.1f} <= 3 {verdict(ratio_ricevuta <= 3)}")
    print(f"RATIO first_receipt_vs_next {ratio_prima:.2f} <= 1.5 {verdict(ratio_prima <= 1.5)}")


if __name__ == "__main__":
    main()
