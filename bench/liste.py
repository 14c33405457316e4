"""Lists and search at scale (issue 19): every company-side, API and admin list and search page over
HTTP (Django's test client, the whole request: middleware, session, templates), beside its floor, the
hand-written SQL that fetches the same rows, measured in the same run on the same database.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/aminder_bench_lists .venv/bin/python bench/carica_liste.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/aminder_bench_lists .venv/bin/python bench/liste.py

For each page: the HTTP time, the time of the page's own SQL replayed (every statement the request
ran), the floor, and the number of statements; medians of --ripeti runs after one warm-up. Ends with
one line per target:

    RATIO <name> <value> <op> <target> PASS|FAIL

`<page>_sql` is the page's SQL over the floor (target: at most 3x), `<page>_ms` its HTTP time (target:
under 200 ms, the search by name under 500 ms).
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aminder.settings")
os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only")
os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("API_RATE_USER", "100000/min")
os.environ.pop("CELERY_BROKER_URL", None)
os.environ.pop("REDIS_URL", None)

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from anagrafica.models import Azienda, User  # noqa: E402
from claims.models import Domanda, Lavoratore  # noqa: E402
from core.pagination import MAX_RIGHE  # noqa: E402

PAGINA = 50
RIGHE_ELENCO = """
    SELECT d.id, d.stato, d.created_at, d.presentata_il, d.data_inizio, d.data_fine, a.ragione_sociale,
           s.denominazione, c.nome, m.nome, r.anno, r.numero,
           (SELECT count(*) FROM claims_lavoratore l WHERE l.domanda_id = d.id),
           (SELECT sum(l.ore_richieste) FROM claims_lavoratore l WHERE l.domanda_id = d.id)
      FROM claims_domanda d
      JOIN anagrafica_azienda a ON a.id = d.azienda_id
      JOIN anagrafica_sede s ON s.id = d.sede_id
      JOIN anagrafica_comune c ON c.codice_istat = s.comune_id
      JOIN claims_misura m ON m.id = d.misura_id
      LEFT JOIN claims_registrazioneprotocollo r ON r.id = d.registrazione_id
"""
CODA = """
    SELECT d.id, d.stato, d.presentata_il, a.ragione_sociale, r.anno, r.numero,
           (SELECT count(*) FROM claims_lavoratore l WHERE l.domanda_id = d.id),
           (SELECT sum(l.ore_richieste) FROM claims_lavoratore l WHERE l.domanda_id = d.id)
      FROM claims_domanda d
      JOIN anagrafica_azienda a ON a.id = d.azienda_id
      LEFT JOIN claims_registrazioneprotocollo r ON r.id = d.registrazione_id
"""


def misura(funzione, ripeti: int) -> float:
    funzione()
    tempi = []
    for _ in range(ripeti):
        inizio = time.perf_counter()
        funzione()
        tempi.append((time.perf_counter() - inizio) * 1000)
    return statistics.median(tempi)


def sql(*istruzioni: tuple[str, list]):
    def esegui():
        with connection.cursor() as cursor:
            for testo, parametri in istruzioni:
                cursor.execute(testo, parametri)
                cursor.fetchall()

    return esegui


def pagina_http(client: Client, url: str):
    def esegui():
        risposta = client.get(url)
        assert risposta.status_code == 200, (url, risposta.status_code)
        return risposta

    return esegui


def sql_della_pagina(client: Client, url: str):
    """The statements the request ran, to replay them without Django."""
    with CaptureQueriesContext(connection) as catturate:
        pagina_http(client, url)()
    istruzioni = [
        q["sql"] for q in catturate.captured_queries if not q["sql"].startswith(("SAVEPOINT", "RELEASE"))
    ]

    def esegui():
        with connection.cursor() as cursor:
            for testo in istruzioni:
                cursor.execute(testo.replace("%", "%%"))
                if cursor.description:
                    cursor.fetchall()

    return esegui, len(istruzioni)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--ripeti", type=int, default=5)
    args = parser.parse_args()
    settings.ALLOWED_HOSTS = ["testserver"]
    settings.DEBUG = False

    legale = User.objects.get(username="legale")
    intermediario = User.objects.get(username="intermediario")
    funzionario = User.objects.get(username="funzionario")
    clients = {}
    for nome, utente in (("legale", legale), ("intermediario", intermediario), ("funzionario", funzionario)):
        clients[nome] = Client()
        clients[nome].force_login(utente)
    grande = Azienda.objects.get(ragione_sociale="Impresa Grande S.p.A.")
    abilitate = list(
        Azienda.objects.filter(abilitazioni__codice_fiscale=intermediario.codice_fiscale).values_list(
            "pk", flat=True
        )
    )
    # A registered domanda of an ordinary company, about half-way through the table: its protocol, its
    # company's codici fiscali and P.IVA, one of its workers.
    campione = (
        Domanda.objects.filter(registrazione__isnull=False)
        .exclude(azienda=grande)
        .select_related("azienda", "registrazione")
        .order_by("pk")[Domanda.objects.count() // 2 :][:1]
        .get()
    )
    azienda, reg = campione.azienda, campione.registrazione
    lavoratore = Lavoratore.objects.filter(domanda=campione).values_list("codice_fiscale", flat=True).first()
    nome = azienda.ragione_sociale.split()[1]  # a surname in the name: many companies match
    n_domande = Domanda.objects.count()
    print(f"Liste e ricerca su {n_domande:,} domande e {Lavoratore.objects.count():,} lavoratori")
    print(
        f"  campione: {reg.segnatura}, azienda {azienda.codice_fiscale}, lavoratore {lavoratore}, nome '{nome}'"
    )

    deep = MAX_RIGHE // PAGINA
    # The floor of the deep page: a keyset on the queue's index, from the row before the page.
    ultima = (
        Domanda.objects.exclude(stato="BOZZA")
        .order_by("presentata_il", "pk")
        .values_list("presentata_il", "pk")
    )[(deep - 1) * PAGINA - 1]
    coda = "WHERE d.stato <> 'BOZZA' ORDER BY d.presentata_il, d.id LIMIT 50"
    casi = [
        ("azienda_elenco", "legale", f"/aziende/{grande.pk}/domande/", 200,
         sql((f"{RIGHE_ELENCO} WHERE d.azienda_id = %s ORDER BY d.created_at DESC, d.id DESC LIMIT 50", [grande.pk]),
             ("SELECT count(*) FROM claims_domanda WHERE azienda_id = %s", [grande.pk]))),
        ("mie_domande_intermediario", "intermediario", "/domande/", 200,
         sql((f"{RIGHE_ELENCO} WHERE d.azienda_id = ANY(%s) ORDER BY d.created_at DESC, d.id DESC LIMIT 50", [abilitate]),
             ("SELECT count(*) FROM claims_domanda WHERE azienda_id = ANY(%s)", [abilitate]))),
        ("api_domande", "legale", "/api/v1/domande/", 200,
         sql((f"{RIGHE_ELENCO} WHERE d.azienda_id = %s ORDER BY d.created_at DESC, d.id DESC LIMIT 50", [grande.pk]),
             ("SELECT count(*) FROM claims_domanda WHERE azienda_id = %s", [grande.pk]))),
        ("admin_coda", "funzionario", "/admin/claims/domanda/", 200,
         sql((f"{CODA} {coda}", []))),
        ("admin_pagina_profonda", "funzionario", f"/admin/claims/domanda/?p={deep}", 200,
         sql((f"{CODA} WHERE d.stato <> 'BOZZA' AND (d.presentata_il, d.id) > (%s, %s) "
              "ORDER BY d.presentata_il, d.id LIMIT 50", list(ultima)))),
        ("admin_cerca_protocollo", "funzionario", f"/admin/claims/domanda/?q={reg.segnatura}", 200,
         sql((f"{CODA} WHERE r.anno = %s AND r.numero = %s", [reg.anno, reg.numero]))),
        ("admin_cerca_cf_azienda", "funzionario", f"/admin/claims/domanda/?q={azienda.codice_fiscale}", 200,
         sql((f"{CODA} WHERE a.codice_fiscale = %s ORDER BY d.presentata_il, d.id LIMIT 50", [azienda.codice_fiscale]))),
        ("admin_cerca_cf_legale", "funzionario", f"/admin/claims/domanda/?q={azienda.lr_codice_fiscale}", 200,
         sql((f"{CODA} WHERE a.lr_codice_fiscale = %s ORDER BY d.presentata_il, d.id LIMIT 50", [azienda.lr_codice_fiscale]))),
        ("admin_cerca_cf_lavoratore", "funzionario", f"/admin/claims/domanda/?q={lavoratore}", 200,
         sql((f"{CODA} WHERE d.id IN (SELECT domanda_id FROM claims_lavoratore WHERE codice_fiscale = %s) "  # noqa: S608
              "ORDER BY d.presentata_il, d.id LIMIT 50", [lavoratore]))),
        ("admin_cerca_nome", "funzionario", f"/admin/claims/domanda/?q={nome}", 500,
         sql((f"{CODA} WHERE d.stato <> 'BOZZA' AND upper(a.ragione_sociale) LIKE upper(%s) "
              "ORDER BY d.presentata_il, d.id LIMIT 50", [f"%{nome}%"]))),
    ]  # fmt: skip

    print(f"{'pagina':30} {'HTTP ms':>9} {'SQL ms':>8} {'floor ms':>9} {'query':>6}")
    risultati = []
    for nome_caso, chi, url, limite_ms, pavimento in casi:
        client = clients[chi]
        http = misura(pagina_http(client, url), args.ripeti)
        replay, n_query = sql_della_pagina(client, url)
        sql_pagina = misura(replay, args.ripeti)
        floor = misura(pavimento, args.ripeti)
        print(f"{nome_caso:30} {http:9.1f} {sql_pagina:8.1f} {floor:9.2f} {n_query:6d}", flush=True)
        risultati.append((nome_caso, http, sql_pagina, floor, limite_ms))
    for nome_caso, http, sql_pagina, floor, limite_ms in risultati:
        rapporto = sql_pagina / floor
        print(f"RATIO {nome_caso}_sql {rapporto:.2f} <= 3 {'PASS' if rapporto <= 3 else 'FAIL'}")
        print(f"RATIO {nome_caso}_ms {http:.1f} < {limite_ms} {'PASS' if http < limite_ms else 'FAIL'}")


if __name__ == "__main__":
    main()
