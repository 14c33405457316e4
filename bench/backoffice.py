"""Benchmark of the officers' backoffice at a month's volume: N submitted domande (4 workers each, a few
workers shared with another company's overlapping domanda), then the pages an officer opens, timed
through Django's test client with the queries counted.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/aminder_bench .venv/bin/python bench/backoffice.py
    .venv/bin/python bench/backoffice.py --n 42000 [--keepdb]

Prints, for each page or action: milliseconds (best of 3) and SQL queries.
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
os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "false")
os.environ["PRIVATE_MEDIA_ROOT"] = tempfile.mkdtemp(prefix="aminder-bench-")
os.environ.pop("CELERY_BROKER_URL", None)
os.environ.pop("REDIS_URL", None)

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_databases, teardown_databases  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from anagrafica.models import Azienda, Sede  # noqa: E402
from claims.constants import StatoDomanda  # noqa: E402
from claims.models import Domanda, Lavoratore  # noqa: E402
from protocollo.models import RegistrazioneProtocollo  # noqa: E402
from tests.anagrafica.factories import UserFactory, make_codice_fiscale, pass_second_factor  # noqa: E402
from tests.claims.factories import DomandaFactory  # noqa: E402

ANNO = 2026


def popola(n: int) -> None:
    modello = DomandaFactory(presentata=True)
    aziende = Azienda.objects.bulk_create(
        Azienda(
            codice_fiscale=f"{20000000000 + i}",
            partita_iva=f"{20000000000 + i}",
            ragione_sociale=f"Impresa {i} S.r.l.",
            codice_ateco=("25.62.00", "56.10.11", "47.11.10")[i % 3],
            indirizzo="Via Roma 1",
            comune_id=modello.azienda.comune_id,
            cap="10121",
            lr_codice_fiscale=make_codice_fiscale(100000 + i),
            lr_nome="Anna",
            lr_cognome="Verdi",
        )
        for i in range(n // 2)
    )
    sedi = Sede.objects.bulk_create(
        Sede(
            azienda=a,
            denominazione="Sede",
            indirizzo="Via Po 2",
            comune_id=modello.sede.comune_id,
            cap="10121",
        )
        for a in aziende
    )
    adesso = timezone.now()
    inizio = modello.data_inizio
    domande = Domanda.objects.bulk_create(
        (
            Domanda(
                azienda_id=sedi[i % len(sedi)].azienda_id,
                sede=sedi[i % len(sedi)],
                misura_id=modello.misura_id,
                creata_da_id=modello.creata_da_id,
                presentata_da_id=modello.creata_da_id,
                data_inizio=inizio + dt.timedelta(days=14 * (i // len(sedi))),
                data_fine=inizio + dt.timedelta(days=14 * (i // len(sedi)) + 13),
                stato=(StatoDomanda.PRESENTATA, StatoDomanda.IN_ISTRUTTORIA)[i % 2],
                presentata_il=adesso - dt.timedelta(minutes=n - i),
                dichiara_danno=i % 2 == 0,
            )
            for i in range(n)
        ),
        batch_size=2000,
    )
    registrazioni = RegistrazioneProtocollo.objects.bulk_create(
        (
            RegistrazioneProtocollo(
                anno=ANNO,
                numero=i + 1,
                registrata_il=d.presentata_il,
                tipo_documento="domanda",
                oggetto=f"Domanda {i}",
                impronta="0" * 64,
                codice_verifica=f"B{i:010d}",
            )
            for i, d in enumerate(domande)
        ),
        batch_size=2000,
    )
    for d, r in zip(domande, registrazioni, strict=True):
        d.registrazione = r
    Domanda.objects.bulk_update(domande, ["registrazione"], batch_size=2000)
    # 4 workers per domanda; every 50th domanda shares a worker with the next company's domanda.
    Lavoratore.objects.bulk_create(
        (
            Lavoratore(
                domanda=d,
                codice_fiscale=make_codice_fiscale(200000 + (i - 1 if i % 50 == 1 and k == 0 else i) * 4 + k),
                cognome=f"Bianchi{i}",
                nome="Luca",
                qualifica="OPERAIO",
                tipo_contratto="INDETERMINATO",
                ore_settimanali=Decimal(40),
                ore_richieste=Decimal(60),
                data_assunzione=dt.date(2015, 1, 1),
            )
            for i, d in enumerate(domande)
            for k in range(4)
        ),
        batch_size=5000,
        ignore_conflicts=True,
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def misura(client: Client, metodo: str, url: str, dati: dict | None = None) -> tuple[float, int, int]:
    migliore, queries, stato = float("inf"), 0, 0
    for _ in range(3):
        with CaptureQueriesContext(connection) as ctx:
            inizio = time.perf_counter()
            risposta = getattr(client, metodo)(url, dati or {})
            migliore = min(migliore, time.perf_counter() - inizio)
        queries, stato = len(ctx), risposta.status_code
    return migliore * 1000, queries, stato


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--n", type=int, default=42000, help="submitted domande (a month: 42,000)")
    parser.add_argument("--keepdb", action="store_true")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("Serve PostgreSQL: DATABASE_URL=postgres://postgres@127.0.0.1:5432/aminder_bench")
    settings.ALLOWED_HOSTS = ["testserver"]
    # E-mails to the referenti go through a Celery worker in production: not part of the request.
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    # Pages render without collectstatic (the manifest storage would want one).
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    config = setup_databases(verbosity=0, interactive=False, keepdb=args.keepdb)
    try:
        inizio = time.perf_counter()
        popola(args.n)
        print(
            f"{args.n} domande, {Lavoratore.objects.count()} lavoratori in {time.perf_counter() - inizio:.0f} s"
        )
        client = Client()
        funzionario = UserFactory(username="bench", funzionario=True)
        client.force_login(funzionario)
        pass_second_factor(client, funzionario)  # signed in with both factors, as an officer at work
        coda = reverse("admin:claims_domanda_changelist")
        lavoratore = Lavoratore.objects.order_by("-pk").values_list("codice_fiscale", flat=True).first()
        oggi = timezone.localdate()
        prove = [
            ("coda, prima pagina (50)", "get", coda, None),
            ("coda, pagina 400", "get", coda, {"p": "399"}),
            ("cerca protocollo 2026/0021000", "get", coda, {"q": f"{ANNO}/0021000"}),
            ("cerca codice fiscale di un lavoratore", "get", coda, {"q": lavoratore}),
            ("cerca partita IVA", "get", coda, {"q": "20000000123"}),
            ("filtro: lavoratore in altra azienda", "get", coda, {"segnalazione": "lavoratore"}),
            (
                "filtro: sezione ATECO I + in carico a nessuno",
                "get",
                coda,
                {"ateco": "I", "in_carico": "nessuno"},
            ),
            (
                "pagina d'esame di una domanda",
                "get",
                reverse("admin:claims_domanda_change", args=[args.n // 2]),
                None,
            ),
            ("home del backoffice (contatori)", "get", reverse("admin:index"), None),
        ]
        export = reverse("admin:claims_domanda_export")
        giorno = (
            f"presentata_il__day={oggi.day}&presentata_il__month={oggi.month}&presentata_il__year={oggi.year}"
        )
        print(f"{'pagina':<48} {'ms':>8} {'query':>6} {'HTTP':>5}")
        for nome, metodo, url, dati in prove:
            ms, queries, stato = misura(client, metodo, url, dati)
            print(f"{nome:<48} {ms:>8.0f} {queries:>6} {stato:>5}")
        for formato, nome in ((0, "CSV"), (1, "XLSX")):
            campi = {
                "format": formato,
                "resource": 0,
                **{
                    f"domandaresource_{c}": "on"
                    for c in ("protocollo", "azienda", "n_lavoratori", "ore_totali", "lavoratori")
                },
            }
            ms, queries, stato = misura(client, "post", f"{export}?{giorno}", campi)
            print(
                f"{'export ' + nome + ' di un giorno (' + str(min(args.n, 1440)) + ' domande)':<48} {ms:>8.0f} {queries:>6} {stato:>5}"
            )
        domande = list(
            Domanda.objects.filter(stato=StatoDomanda.PRESENTATA)
            .order_by("presentata_il")[:200]
            .values_list("pk", flat=True)
        )
        inizio = time.perf_counter()
        risposta = client.post(coda, {"action": "prendi_in_carico", "_selected_action": domande, "index": 0})
        print(
            f"{'presa in carico multipla di 200 domande':<48} {(time.perf_counter() - inizio) * 1000:>8.0f} {'':>6} {risposta.status_code:>5}"
        )
    finally:
        teardown_databases(config, verbosity=0, keepdb=args.keepdb)


if __name__ == "__main__":
    main()
