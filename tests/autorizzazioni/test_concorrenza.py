"""The budget lock: two acts of the same year adopted at the same moment are checked one after the other."""

import datetime as dt
import threading
import time

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction

from autorizzazioni.models import Determinazione
from claims.constants import StatoDomanda
from claims.models import Domanda
from tests.anagrafica.factories import UserFactory
from tests.claims.factories import DomandaFactory, MisuraFactory

from .factories import COSTO_40_ORE, atto, massimali_e_risorse


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_acts_never_spend_more_than_the_budget():
    # Each act alone fits (two workers of 40 hours), both together would not.
    massimali_e_risorse((dt.date.today() - dt.timedelta(days=14)).year, 3 * COSTO_40_ORE)
    funzionario = UserFactory(username="funzionario", funzionario=True)
    misura = MisuraFactory()
    domande = DomandaFactory.create_batch(2, ammissibile=True, misura=misura)
    prima_in_corso = threading.Event()
    esiti: list[str] = []

    def adotta(numero: int, domanda: Domanda) -> None:
        try:
            if numero == 1:
                # The first act holds its transaction open a moment after its check...
                with transaction.atomic():
                    atto(funzionario, [domanda], numero=numero)
                    prima_in_corso.set()
                    time.sleep(1)
            else:
                # ... while the second one is adopted: it must wait and see the first one's cost.
                prima_in_corso.wait(timeout=30)
                atto(funzionario, [domanda], numero=numero)
            esiti.append("adottata")
        except ValidationError as exc:
            assert "supera le risorse" in str(exc)
            esiti.append("respinta")
        finally:
            prima_in_corso.set()
            connection.close()

    threads = [threading.Thread(target=adotta, args=(n, d)) for n, d in enumerate(domande, start=1)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)

    assert sorted(esiti) == ["adottata", "respinta"]
    assert Determinazione.objects.count() == 1
    stati = sorted(Domanda.objects.filter(pk__in=[d.pk for d in domande]).values_list("stato", flat=True))
    assert stati == [StatoDomanda.AMMISSIBILE, StatoDomanda.AUTORIZZATA]
