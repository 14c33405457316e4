"""Lists and search that stay flat as the tables grow (issue 19): the company list, the API list and the
officers' queue cost the same queries for one domanda or many, search goes to the key the officer typed,
deep pages stop at a cap, the date drill-down reads no DISTINCT, visibility is unchanged, and the
indexes are built without locking the tables."""

import datetime as dt
import importlib

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from claims.admin import DomandaAdmin
from claims.models import Domanda
from claims.selectors import giorni_usati_per_sede
from core.db import AddIndexConcurrently
from core.pagination import CappedPaginator
from tests.anagrafica.factories import AbilitazioneFactory, AziendaFactory, SedeFactory, UserFactory
from tests.claims.factories import DomandaFactory, LavoratoreFactory, MisuraFactory, registra_con_numero

pytestmark = pytest.mark.django_db

CODA = reverse("admin:claims_domanda_changelist")


@pytest.fixture
def sede():
    return SedeFactory()


@pytest.fixture
def legale(sede):
    """The legal representative of `sede`'s company, the user DomandaFactory makes them create it."""
    codice_fiscale = sede.azienda.lr_codice_fiscale
    return UserFactory(username=codice_fiscale, codice_fiscale=codice_fiscale)


def _domande(sede, n: int, **kwargs) -> list[Domanda]:
    return [DomandaFactory(sede=sede, presentata=True, **kwargs) for _ in range(n)]


def _queries(client, url: str, **params) -> int:
    client.get(url, params)  # sessions, content types: cached from the first request on
    with CaptureQueriesContext(connection) as catturate:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(catturate.captured_queries)


# --- the same queries for one row or a page of them ------------------------------------------------


def test_company_list_costs_the_same_queries_for_one_domanda_or_a_full_page(client, legale, sede):
    client.force_login(legale)
    url = reverse("claims:azienda_domande", args=[sede.azienda_id])
    _domande(sede, 1)
    una = _queries(client, url)
    _domande(sede, 30)
    response = client.get(url)
    assert _queries(client, url) == una
    righe = response.context["domande"]
    assert len(righe) == 25 and righe[0].num_lavoratori == righe[0].lavoratori.count()
    assert response.context["pagina"].paginator.count == 31
    assert _queries(client, reverse("claims:domanda_list")) == una - 1  # no company to look up


def test_api_list_costs_the_same_queries_and_sums_only_the_page(legale, sede):
    api = APIClient()
    api.force_authenticate(legale)
    url = reverse("api-v1:domanda-list")
    prima = _domande(sede, 1)[0]
    LavoratoreFactory(domanda=prima, ore_richieste=12)
    una = _queries(api, url)
    _domande(sede, 60)
    assert _queries(api, url) == una
    body = api.get(url, {"page": 2}).json()
    assert body["count"] == 61 and len(body["results"]) == 11
    [riga] = [r for r in body["results"] if r["id"] == prima.pk]  # the oldest: last page
    assert riga["numero_lavoratori"] == prima.lavoratori.count()
    assert float(riga["ore_totali"]) == float(sum(lav.ore_richieste for lav in prima.lavoratori.all()))


def test_officers_queue_costs_the_same_queries_for_one_domanda_or_a_full_page(officer_client, sede):
    _domande(sede, 1)
    una = _queries(officer_client, CODA)
    _domande(SedeFactory(), 55)
    assert _queries(officer_client, CODA) == una


# --- search routed by the shape of the term ----------------------------------------------------------


def _coda(client, **params) -> list[int]:
    response = client.get(CODA, params)
    assert response.status_code == 200
    return sorted(domanda.pk for domanda in response.context["cl"].result_list)


def test_a_workers_codice_fiscale_finds_their_domande_and_the_companies_they_represent(officer_client):
    lavoratore = LavoratoreFactory(domanda=DomandaFactory(presentata=True))
    rappresentata = DomandaFactory(
        presentata=True, sede=SedeFactory(azienda=AziendaFactory(lr_codice_fiscale=lavoratore.codice_fiscale))
    )
    DomandaFactory(presentata=True)  # someone else's
    trovate = _coda(officer_client, q=lavoratore.codice_fiscale.lower())
    assert trovate == sorted([lavoratore.domanda_id, rappresentata.pk])


def test_a_protocol_as_printed_finds_its_domanda_and_a_number_alone_every_year(officer_client):
    quest_anno, l_anno_scorso, altra = (DomandaFactory(presentata=True) for _ in range(3))
    registra_con_numero(quest_anno, 7)
    registra_con_numero(l_anno_scorso, 7, anno=2025)
    registra_con_numero(altra, 70)
    assert _coda(officer_client, q="2026/0000007") == [quest_anno.pk]
    assert _coda(officer_client, q="7") == sorted([quest_anno.pk, l_anno_scorso.pk])


def test_part_of_a_name_finds_the_company_whatever_the_case(officer_client):
    cercata = DomandaFactory(
        presentata=True, sede=SedeFactory(azienda=AziendaFactory(ragione_sociale="Officine Ferrero S.r.l."))
    )
    DomandaFactory(presentata=True)
    assert _coda(officer_client, q="FERRERO") == [cercata.pk]
    assert _coda(officer_client, q="ine ferr") == [cercata.pk]


def test_the_name_search_reads_the_trigram_index():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE indexname = 'azienda_ragione_sociale_trgm'",
        )
        [(definizione,)] = cursor.fetchall()
    assert "gin" in definizione and "upper((ragione_sociale)::text) gin_trgm_ops" in definizione
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        cursor.execute(
            "EXPLAIN SELECT id FROM anagrafica_azienda WHERE UPPER(ragione_sociale) LIKE UPPER(%s)",
            ["%ferr%"],
        )
        piano = "\n".join(riga[0] for riga in cursor.fetchall())
        cursor.execute("RESET enable_seqscan")
    assert "azienda_ragione_sociale_trgm" in piano


# --- deep pages and the date drill-down --------------------------------------------------------------


def test_pages_past_the_cap_answer_the_last_page_and_say_so(officer_client, sede, monkeypatch):
    monkeypatch.setattr(CappedPaginator, "max_righe", 4)
    monkeypatch.setattr(DomandaAdmin, "list_per_page", 2)
    domande = [
        DomandaFactory(sede=sede, presentata=True, presentata_il=timezone.now() - dt.timedelta(hours=10 - i))
        for i in range(7)
    ]
    response = officer_client.get(CODA, {"p": 40})
    assert response.status_code == 200
    cl = response.context["cl"]
    assert [d.pk for d in cl.result_list] == [domande[2].pk, domande[3].pk]  # page 2 of 4 rows
    assert cl.result_count == 4
    assert "Sono mostrate le prime 4 domande della coda" in response.content.decode()
    assert officer_client.get(CODA, {"p": 1}).context["cl"].result_list[0].pk == domande[0].pk


def test_capped_paginator_counts_no_further_than_its_cap(sede):
    _domande(sede, 5)
    paginator = CappedPaginator(Domanda.objects.order_by("pk"), 2)
    paginator.max_righe = 3
    assert (paginator.count, paginator.num_pages, paginator.limitato) == (4, 2, True)
    assert paginator.get_page(99).number == 2
    assert CappedPaginator(Domanda.objects.order_by("pk"), 2).limitato is False


def test_the_date_drill_down_reads_no_distinct_and_finds_one_days_intake(officer_client, sede):
    tre_aprile = dt.datetime(2026, 4, 3, 10, tzinfo=dt.UTC)
    del_giorno = DomandaFactory(sede=sede, presentata=True, presentata_il=tre_aprile)
    DomandaFactory(sede=sede, presentata=True, presentata_il=tre_aprile + dt.timedelta(days=1))
    DomandaFactory(sede=sede, presentata=True, presentata_il=tre_aprile - dt.timedelta(days=400))
    for params in (
        {},
        {"presentata_il__year": 2026},
        {"presentata_il__year": 2026, "presentata_il__month": 4},
    ):
        with CaptureQueriesContext(connection) as catturate:
            response = officer_client.get(CODA, params)
        assert response.status_code == 200
        assert not [
            q for q in catturate.captured_queries if "DISTINCT" in q["sql"] or "DATE_TRUNC" in q["sql"]
        ]
    assert "2025" in officer_client.get(CODA).content.decode()
    assert "presentata_il__day=3" in response.content.decode()
    giorno = {"presentata_il__year": 2026, "presentata_il__month": 4, "presentata_il__day": 3}
    assert _coda(officer_client, **giorno) == [del_giorno.pk]


def test_weeks_of_a_site_count_each_day_once_across_overlapping_domande(sede):
    misura = MisuraFactory()
    inizio = misura.periodo_dal
    domande = [
        DomandaFactory(
            sede=sede,
            misura=misura,
            presentata=True,
            data_inizio=inizio + dt.timedelta(days=a),
            data_fine=inizio + dt.timedelta(days=b),
        )
        for a, b in [(0, 13), (7, 20), (21, 27), (40, 41)]  # overlapping, adjacent, apart
    ]
    bozza = inizio + dt.timedelta(days=60)
    DomandaFactory(sede=sede, misura=misura, data_inizio=bozza, data_fine=bozza)  # a draft is not live
    assert giorni_usati_per_sede(domande[:1]) == {(sede.pk, misura.pk): 28 + 2}


# --- visibility unchanged ---------------------------------------------------------------------------


def test_an_intermediary_lists_only_the_companies_it_is_enabled_for_today(client):
    consulente = UserFactory()
    abilitata, revocata, scaduta, altra = (SedeFactory() for _ in range(4))
    AbilitazioneFactory(azienda=abilitata.azienda, codice_fiscale=consulente.codice_fiscale)
    AbilitazioneFactory(
        azienda=revocata.azienda, codice_fiscale=consulente.codice_fiscale, revocata_il=timezone.now()
    )
    AbilitazioneFactory(
        azienda=scaduta.azienda,
        codice_fiscale=consulente.codice_fiscale,
        valida_al=timezone.localdate() - dt.timedelta(days=1),
    )
    visibile = DomandaFactory(sede=abilitata)
    for sede in (revocata, scaduta, altra):
        DomandaFactory(sede=sede)
    client.force_login(consulente)
    assert [d.pk for d in client.get(reverse("claims:domanda_list")).context["domande"]] == [visibile.pk]
    for sede in (revocata, scaduta, altra):
        assert client.get(reverse("claims:azienda_domande", args=[sede.azienda_id])).status_code == 404
    api = APIClient()
    api.force_authenticate(consulente)
    assert [r["id"] for r in api.get(reverse("api-v1:domanda-list")).json()["results"]] == [visibile.pk]
    assert api.get(reverse("api-v1:domanda-list"), {"azienda": altra.azienda_id}).json()["count"] == 0


def test_a_company_user_without_companies_lists_nothing(client):
    DomandaFactory()
    utente = UserFactory()
    client.force_login(utente)
    assert list(client.get(reverse("claims:domanda_list")).context["domande"]) == []


# --- indexes built without locking -------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)  # sqlmigrate refuses CONCURRENTLY inside the test's transaction
@pytest.mark.parametrize(
    "modulo",
    [
        "claims.migrations.0015_indici_elenchi",
        "anagrafica.migrations.0006_indici_ricerca",
        "protocollo.migrations.0003_indice_numero",
    ],
)
def test_index_migrations_are_non_atomic_and_build_concurrently(modulo, capsys):
    migrazione = importlib.import_module(modulo).Migration
    assert migrazione.atomic is False
    indici = [op for op in migrazione.operations if op.__class__.__name__ != "TrigramExtension"]
    assert indici and all(isinstance(op, AddIndexConcurrently) for op in indici)
    app, nome = modulo.split(".")[0], modulo.rsplit(".", 1)[1]
    call_command("sqlmigrate", app, nome)
    sql = capsys.readouterr().out
    assert sql.count("CREATE INDEX CONCURRENTLY") == len(indici)
    assert "BEGIN" not in sql
