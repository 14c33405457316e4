"""Two officers taking the oldest domande in charge at the same moment (a real race: threads, each
with its own PostgreSQL connection): every domanda ends on exactly one desk, with one history row."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from anagrafica.models import User
from claims.constants import StatoDomanda
from claims.models import Domanda, EventoDomanda
from claims.services.istruttoria import domande_take_in_charge
from tests.anagrafica.factories import UserFactory
from tests.claims.factories import DomandaFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_officers_taking_the_same_domande_at_once_never_share_one():
    pks = [DomandaFactory(presentata=True).pk for _ in range(8)]
    officers = [UserFactory(funzionario=True).pk for _ in range(2)]
    start = threading.Barrier(len(officers))

    def prendi(officer_pk: int) -> list[tuple[int, bool]]:
        try:
            officer = User.objects.get(pk=officer_pk)
            domande = list(Domanda.objects.filter(pk__in=pks).order_by("pk"))
            start.wait()
            return [(e.domanda.pk, e.fatto) for e in domande_take_in_charge(actor=officer, domande=domande)]
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=len(officers)) as pool:
        esiti = [esito for risultato in pool.map(prendi, officers) for esito in risultato]

    fatte = [pk for pk, fatto in esiti if fatto]
    assert sorted(fatte) == sorted(pks)  # each domanda taken once, by one of the two
    for domanda in Domanda.objects.filter(pk__in=pks):
        assert domanda.stato == StatoDomanda.IN_ISTRUTTORIA and domanda.assegnata_a_id in officers
        assert EventoDomanda.objects.filter(domanda=domanda, a=StatoDomanda.IN_ISTRUTTORIA).count() == 1
