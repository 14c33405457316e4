"""The officers' list of consuntivi at scale (issue 19): search goes where the queue's does, the month
drill-down reads no DISTINCT, counts and pages stop at the cap."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from consuntivi.admin import ConsuntivoAdmin
from consuntivi.services import consuntivo_send
from core.pagination import CappedPaginator

from .factories import APRILE, MARZO, domanda_consuntivabile, righe

pytestmark = pytest.mark.django_db

ELENCO = reverse("admin:consuntivi_consuntivo_changelist")


def _invia(domanda, mese=APRILE):
    return consuntivo_send(actor=domanda.creata_da, domanda=domanda, mese=mese, righe=righe(domanda))


def _elenco(client, **params) -> list[int]:
    response = client.get(ELENCO, params)
    assert response.status_code == 200
    return sorted(c.pk for c in response.context["cl"].result_list)


def test_a_workers_codice_fiscale_or_the_company_finds_the_consuntivi_of_their_domanda(officer_client):
    cercata, altra = domanda_consuntivabile(), domanda_consuntivabile()
    trovati = [_invia(cercata, APRILE).pk, _invia(cercata, MARZO).pk]
    _invia(altra)
    lavoratore = cercata.lavoratori.first()
    assert _elenco(officer_client, q=lavoratore.codice_fiscale) == sorted(trovati)
    assert _elenco(officer_client, q=cercata.azienda.codice_fiscale) == sorted(trovati)


def test_the_month_drill_down_reads_no_distinct_and_pages_stop_at_the_cap(officer_client, monkeypatch):
    domanda = domanda_consuntivabile()
    marzo, aprile = _invia(domanda, MARZO), _invia(domanda, APRILE)
    for params in ({}, {"mese__year": APRILE.year}, {"mese__year": APRILE.year, "mese__month": APRILE.month}):
        with CaptureQueriesContext(connection) as catturate:
            assert officer_client.get(ELENCO, params).status_code == 200
        assert not [q for q in catturate.captured_queries if "DISTINCT" in q["sql"]]
    assert _elenco(officer_client, mese__year=APRILE.year, mese__month=APRILE.month) == [aprile.pk]
    monkeypatch.setattr(CappedPaginator, "max_righe", 1)
    monkeypatch.setattr(ConsuntivoAdmin, "list_per_page", 1)
    response = officer_client.get(ELENCO)
    assert [c.pk for c in response.context["cl"].result_list] in ([marzo.pk], [aprile.pk])
    assert "Sono mostrate le prime 1 consuntivi" in response.content.decode()
