"""Lists and search at scale (issue 19): every company-side, API and admin list and search page over
HTTP (Django's test client, the whole request: middleware, session, templates), beside its floor, the
hand-written SQL that fetches the same rows, measured in the same run on the same database.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/aminder_bench_lists .venv/bin/python bench/carica_liste.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/aminder_bench_lists .venv/bin/python bench/liste.py

For each page: the HTTP time, the time of the page's own SQL replayed (every statement the request
ran, then only those that list: without the session, user and permission statements every page
runs), the floor, and the number of statements; medians of --ripeti runs after one warm-up. Ends with
one line per target:

    RATIO <name> <value> <op> <target> PASS|FAIL

`<page>_sql` is the page's listing SQL over the floor (target: at most 3x), `<page>_ms` its HTTP time (target:
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
from claims.constants import VIVE as VIVE_  # noqa: E402
from claims.models import Domanda, Lavoratore  # noqa: E402
from core.pagination import MAX_RIGHE  # noqa: E402
from tests.anagrafica.factories import pass_second_factor  # noqa: E402

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
VIVE = sorted(VIVE_)
SELEZIONE = """
    FROM claims_domanda d
    JOIN anagrafica_azienda a ON a.id = d.azienda_id
    LEFT JOIN claims_registrazioneprotocollo r ON r.id = d.registrazione_id
   WHERE d.stato <> 'BOZZA' AND {condizione}
"""
# What a row of the queue shows: the columns, workers and hours, CPI and the three flags.
DETTAGLI = """
    WITH pagina AS (SELECT d.id {selezione} ORDER BY d.presentata_il, d.id LIMIT 50)
    SELECT d.id, d.stato, d.presentata_il, d.dichiara_danno, a.ragione_sociale, r.anno, r.numero,
           u.last_name, m.max_settimane_per_sede,
           (SELECT count(*) FROM claims_lavoratore l WHERE l.domanda_id = d.id),
           (SELECT sum(l.ore_richieste) FROM claims_lavoratore l WHERE l.domanda_id = d.id),
           (SELECT c.nome FROM anagrafica_centroimpiego c
              JOIN anagrafica_centroimpiego_comuni cc ON cc.centroimpiego_id = c.id
             WHERE cc.comune_id = s.comune_id ORDER BY c.nome LIMIT 1),
           EXISTS (SELECT 1 FROM claims_richiestaregione q WHERE q.domanda_id = d.id AND q.esito = 'IN_ATTESA'),
           EXISTS (SELECT 1 FROM claims_lavoratore l
                     JOIN claims_lavoratore l2 ON l2.codice_fiscale = l.codice_fiscale
                     JOIN claims_domanda d2 ON d2.id = l2.domanda_id
                    WHERE l.domanda_id = d.id AND d2.azienda_id <> d.azienda_id AND d2.stato = ANY(%(vive)s)
                      AND d2.data_inizio <= d.data_fine AND d2.data_fine >= d.data_inizio),
           NOT EXISTS (SELECT 1 FROM claims_domanda d3
                        WHERE d3.sede_id = d.sede_id AND d3.misura_id = d.misura_id
                          AND d3.stato = ANY(%(vive)s) AND d3.presentata_il < d.presentata_il)
      FROM pagina JOIN claims_domanda d ON d.id = pagina.id
      JOIN anagrafica_azienda a ON a.id = d.azienda_id
      JOIN anagrafica_sede s ON s.id = d.sede_id
      JOIN claims_misura m ON m.id = d.misura_id
      LEFT JOIN claims_registrazioneprotocollo r ON r.id = d.registrazione_id
      LEFT JOIN anagrafica_user u ON u.id = d.assegnata_a_id
     ORDER BY d.presentata_il, d.id
"""
# The weeks each site of the page has used under the measure: the union of its live periods.
SETTIMANE = """
    WITH pagina AS (SELECT d.id {selezione} ORDER BY d.presentata_il, d.id LIMIT 50)
    SELECT sede_id, misura_id, sum(upper(periodo) - lower(periodo)) FROM (
        SELECT sede_id, misura_id, unnest(range_agg(daterange(data_inizio, data_fine, '[]'))) AS periodo
          FROM claims_domanda
         WHERE stato = ANY(%(vive)s)
           AND (sede_id, misura_id) IN (SELECT sede_id, misura_id FROM claims_domanda WHERE id IN (SELECT id FROM pagina))
         GROUP BY 1, 2) unione
     GROUP BY 1, 2
"""
CONTEGGIO = "SELECT count(*) FROM (SELECT 1 {selezione} LIMIT 10001) righe"


def pavimento_coda(condizione: str, parametri: dict, pagina: str | None = None):
    """The hand-written queue: a capped count, the page with its details, the sites' weeks."""
    parametri = {**parametri, "vive": VIVE}
    tutte = SELEZIONE.format(condizione=condizione)
    della_pagina = SELEZIONE.format(condizione=f"{condizione} AND {pagina}") if pagina else tutte
    return sql(
        (CONTEGGIO.format(selezione=tutte), parametri),
        (DETTAGLI.format(selezione=della_pagina), parametri),
        (SETTIMANE.format(selezione=della_pagina), parametri),
    )


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


def cpu(funzione, ripeti: int) -> float:
    """CPU time of this process (Django's share of a request, without PostgreSQL's), median."""
    tempi = []
    for _ in range(ripeti):
        inizio = time.process_time()
        funzione()
        tempi.append((time.process_time() - inizio) * 1000)
    return statistics.median(tempi)


def pagina_http(client: Client, url: str):
    def esegui():
        risposta = client.get(url)
        assert risposta.status_code == 200, (url, risposta.status_code)
        return risposta

    return esegui


# What Django runs for every page whatever it lists: the session, the user, their permissions, the
# session's save. Reported, but left out of the comparison with the floor (which lists, as the page does).
FISSE = ('"django_session"', '"auth_permission"', 'FROM "anagrafica_user" WHERE "anagrafica_user"."id" =')


def sql_della_pagina(client: Client, url: str):
    """The statements the request ran, to replay them without Django: all of them, and those that list."""
    with CaptureQueriesContext(connection) as catturate:
        pagina_http(client, url)()
    tutte = [q["sql"] for q in catturate.captured_queries if q["sql"] not in ("BEGIN", "COMMIT")]
    elenco = [istruzione for istruzione in tutte if not any(f in istruzione for f in FISSE)]

    def replay(istruzioni):
        def esegui():
            with connection.cursor() as cursor:
                for testo in istruzioni:
                    cursor.execute(testo.replace("%", "%%"))
                    if cursor.description:
                        cursor.fetchall()

        return esegui

    return replay(tutte), replay(elenco), len(tutte)


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
        pass_second_factor(clients[nome], utente)  # the officer signed in with both factors
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
    nome = azienda.ragione_sociale.split()[1]  # a surname in the name: one company in ten matches
    nome_raro = " ".join(azienda.ragione_sociale.split()[1:3])  # surname and number: one company
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
        ("admin_coda", "funzionario", "/admin/claims/domanda/", 200, pavimento_coda("TRUE", {})),
        ("admin_pagina_profonda", "funzionario", f"/admin/claims/domanda/?p={deep}", 200,
         pavimento_coda("TRUE", {"dopo_il": ultima[0], "dopo_id": ultima[1]},
                        "(d.presentata_il, d.id) > (%(dopo_il)s, %(dopo_id)s)")),
        ("admin_cerca_protocollo", "funzionario", f"/admin/claims/domanda/?q={reg.segnatura}", 200,
         pavimento_coda("r.anno = %(anno)s AND r.numero = %(numero)s", {"anno": reg.anno, "numero": reg.numero})),
        ("admin_cerca_cf_azienda", "funzionario", f"/admin/claims/domanda/?q={azienda.codice_fiscale}", 200,
         pavimento_coda("a.codice_fiscale = %(cf)s", {"cf": azienda.codice_fiscale})),
        ("admin_cerca_cf_legale", "funzionario", f"/admin/claims/domanda/?q={azienda.lr_codice_fiscale}", 200,
         pavimento_coda("a.lr_codice_fiscale = %(cf)s", {"cf": azienda.lr_codice_fiscale})),
        ("admin_cerca_cf_lavoratore", "funzionario", f"/admin/claims/domanda/?q={lavoratore}", 200,
         pavimento_coda("d.id IN (SELECT domanda_id FROM claims_lavoratore WHERE codice_fiscale = %(cf)s)",
                        {"cf": lavoratore})),
        ("admin_cerca_nome_raro", "funzionario", f"/admin/claims/domanda/?q={nome_raro}", 500,
         pavimento_coda("upper(a.ragione_sociale) LIKE upper(%(nome)s)", {"nome": f"%{nome_raro}%"})),
        ("admin_cerca_nome", "funzionario", f"/admin/claims/domanda/?q={nome}", 500,
         pavimento_coda("upper(a.ragione_sociale) LIKE upper(%(nome)s)", {"nome": f"%{nome}%"})),
    ]  # fmt: skip

    print(
        f"{'pagina':28} {'HTTP ms':>8} {'CPU ms':>7} {'SQL ms':>7} {'elenco ms':>9} {'floor ms':>8} {'query':>5}"
    )
    risultati = []
    for nome_caso, chi, url, limite_ms, pavimento in casi:
        client = clients[chi]
        http = misura(pagina_http(client, url), args.ripeti)
        cpu_ms = cpu(pagina_http(client, url), args.ripeti)
        tutte, elenco, n_query = sql_della_pagina(client, url)
        sql_pagina, sql_elenco = misura(tutte, args.ripeti), misura(elenco, args.ripeti)
        floor = misura(pavimento, args.ripeti)
        print(
            f"{nome_caso:28} {http:8.1f} {cpu_ms:7.1f} {sql_pagina:7.1f} {sql_elenco:9.1f} {floor:8.2f} {n_query:5d}",
            flush=True,
        )
        risultati.append((nome_caso, http, sql_elenco, floor, limite_ms))
    for nome_caso, http, sql_elenco, floor, limite_ms in risultati:
        rapporto = sql_elenco / floor
        print(f"RATIO {nome_caso}_sql {rapporto:.2f} <= 3 {'PASS' if rapporto <= 3 else 'FAIL'}")
        print(f"RATIO {nome_caso}_ms {http:.1f} < {limite_ms} {'PASS' if http < limite_ms else 'FAIL'}")


if __name__ == "__main__":
    main()
