"""The public list of authorised domande (/autorizzate/ and its CSV): open data, no worker's data."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from claims.services.domande import domanda_transition
from tests.anagrafica.factories import comune

from .factories import atto, massimali_e_risorse

pytestmark = pytest.mark.django_db


@pytest.fixture
def budget():
    massimali_e_risorse((dt.date.today() - dt.timedelta(days=14)).year, Decimal("1000000"))


def _testo_csv(client, **filtri) -> str:
    risposta = client.get(reverse("autorizzazioni:autorizzate_csv"), filtri)
    assert risposta["Content-Type"].startswith("text/csv")
    return b"".join(risposta.streaming_content).decode("utf-8-sig")


def test_anyone_sees_the_authorised_domande_without_any_worker_data(client, ammissibile, funzionario, budget):
    autorizzata = ammissibile(sede__azienda__ragione_sociale="Alfa Meccanica S.r.l.")
    atto(funzionario, [autorizzata], numero=176)
    non_ancora = ammissibile(sede__azienda__ragione_sociale="Beta Servizi S.n.c.")

    pagina = client.get(reverse("autorizzazioni:autorizzate"))
    csv = _testo_csv(client)
    for testo in (pagina.text, csv):
        assert "Alfa Meccanica S.r.l." in testo and "Torino" in testo
        assert "Beta Servizi S.n.c." not in testo
        for lavoratore in autorizzata.lavoratori.all():
            assert lavoratore.codice_fiscale not in testo
            assert lavoratore.cognome not in testo
    riga = csv.splitlines()[1].split(";")
    assert riga[:3] == ["Alfa Meccanica S.r.l.", "Torino", "TO"]
    assert riga[5:8] == ["2", "80.0", f"176/{dt.date.today().year}"]
    assert non_ancora.pk  # still admissible, not public


def test_a_cancelled_domanda_leaves_the_list(client, ammissibile, funzionario, budget):
    domanda = ammissibile(sede__azienda__ragione_sociale="Gamma S.p.A.")
    atto(funzionario, [domanda])
    domanda_transition(actor=funzionario, domanda=domanda, to="ANNULLATA", note="Su richiesta dell'azienda")
    assert "Gamma S.p.A." not in _testo_csv(client)


def test_filters_by_act_and_by_province(client, ammissibile, funzionario, budget):
    torino = ammissibile(sede__azienda__ragione_sociale="Torinese S.r.l.")
    cuneo = ammissibile(sede__azienda__ragione_sociale="Cuneese S.r.l.", sede__comune=comune("Cuneo"))
    primo = atto(funzionario, [torino], numero=1)
    atto(funzionario, [cuneo], numero=2)

    per_atto = _testo_csv(client, determinazione=primo.pk)
    assert "Torinese" in per_atto and "Cuneese" not in per_atto
    per_provincia = client.get(reverse("autorizzazioni:autorizzate"), {"provincia": "CN"}).text
    assert "Cuneese" in per_provincia and "Torinese" not in per_provincia


def test_the_public_list_costs_the_same_queries_for_1_or_30_domande(client, ammissibile, funzionario, budget):
    atto(funzionario, [ammissibile()], numero=1)
    url = reverse("autorizzazioni:autorizzate")
    with CaptureQueriesContext(connection) as una:
        client.get(url)
    atto(funzionario, ammissibile(29), numero=2)
    with CaptureQueriesContext(connection) as trenta:
        risposta = client.get(url)
    assert risposta.text.count('<td class="text-end">2</td>') == 30
    assert len(trenta) == len(una)
