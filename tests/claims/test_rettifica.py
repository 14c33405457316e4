import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from claims.constants import StatoDomanda
from claims.models import Domanda
from claims.services.domande import domanda_rettifica, domanda_submit
from consuntivi.models import Consuntivo, RigaConsuntivo
from core.exceptions import NotAllowed
from tests.claims.factories import DomandaFactory


def submitted(django_capture_on_commit_callbacks) -> Domanda:
    domanda = DomandaFactory()
    with django_capture_on_commit_callbacks(execute=True):
        domanda_submit(actor=domanda.creata_da, domanda=domanda)
    domanda.refresh_from_db()
    return domanda


@pytest.mark.django_db
def test_rettifica_creates_a_new_submitted_domanda_with_its_own_protocol(django_capture_on_commit_callbacks):
    vecchia = submitted(django_capture_on_commit_callbacks)
    assert vecchia.protocollo is not None

    with django_capture_on_commit_callbacks(execute=True):
        nuova = domanda_rettifica(actor=vecchia.creata_da, domanda=vecchia, referente_nome="Nuovo Referente")

    vecchia.refresh_from_db()
    nuova.refresh_from_db()
    assert vecchia.stato == StatoDomanda.RETTIFICATA
    assert vecchia.sostituita_da == nuova
    assert nuova.sostituisce == vecchia
    assert nuova.stato == StatoDomanda.PRESENTATA
    assert nuova.referente_nome == "Nuovo Referente"
    assert nuova.protocollo is not None
    assert nuova.protocollo != vecchia.protocollo
    assert nuova.lavoratori.count() == vecchia.lavoratori.count()
    # The history names protocol numbers, never database ids.
    assert (
        vecchia.eventi.last().note
        == "Sostituita da una rettifica, che riceve un proprio numero di protocollo."
    )
    assert nuova.eventi.last().note == f"Rettifica della domanda protocollo {vecchia.protocollo}."


@pytest.mark.django_db
def test_rettifica_with_corrected_workers_replaces_them():
    vecchia = DomandaFactory(da_rettificare=True)
    righe = list(vecchia.lavoratori.values())
    righe[0]["ore_richieste"] = Decimal("12.5")
    nuova = domanda_rettifica(actor=vecchia.creata_da, domanda=vecchia, lavoratori=righe[:1])
    assert list(nuova.lavoratori.values_list("ore_richieste", flat=True)) == [Decimal("12.5")]


@pytest.mark.django_db
def test_rettifica_does_not_carry_over_consuntivi():
    vecchia = DomandaFactory(presentata=True)
    consuntivo = Consuntivo.objects.create(
        domanda=vecchia,
        mese=vecchia.data_inizio.replace(day=1),
        inviato_il=vecchia.presentata_il,
        inviato_da=vecchia.creata_da,
    )
    RigaConsuntivo.objects.create(consuntivo=consuntivo, lavoratore=vecchia.lavoratori.first(), ore=8)

    nuova = domanda_rettifica(actor=vecchia.creata_da, domanda=vecchia)

    assert not nuova.consuntivi.exists()
    assert list(vecchia.consuntivi.all()) == [consuntivo]  # kept on the old protocol, as sent


@pytest.mark.django_db
def test_rettifica_keeps_the_rules_and_refuses_invalid_corrections():
    vecchia = DomandaFactory(presentata=True)
    with pytest.raises(ValidationError, match="superano le ore contrattuali"):
        righe = list(vecchia.lavoratori.values())
        righe[0]["ore_richieste"] = Decimal("999")
        domanda_rettifica(actor=vecchia.creata_da, domanda=vecchia, lavoratori=righe)
    vecchia.refresh_from_db()
    assert vecchia.stato == StatoDomanda.PRESENTATA
    assert Domanda.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    "trait", ["in_istruttoria", "ammissibile", "autorizzata", "non_ammissibile", "annullata"]
)
def test_rettifica_refused_outside_presentata_and_da_rettificare(trait):
    vecchia = DomandaFactory(**{trait: True})
    with pytest.raises(NotAllowed, match="invia una richiesta alla Regione"):
        domanda_rettifica(actor=vecchia.creata_da, domanda=vecchia)
    assert Domanda.objects.count() == 1


@pytest.mark.django_db
def test_a_rettificata_cannot_be_rectified_again():
    vecchia = DomandaFactory(presentata=True)
    domanda_rettifica(actor=vecchia.creata_da, domanda=vecchia)
    with pytest.raises(NotAllowed, match="RETTIFICATA"):
        domanda_rettifica(actor=vecchia.creata_da, domanda=vecchia)


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_rettifiche_make_exactly_one():
    vecchia = DomandaFactory(presentata=True)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def rettifica():
        try:
            barrier.wait()
            domanda_rettifica(actor=vecchia.creata_da, domanda=vecchia)
            outcomes.append("ok")
        except NotAllowed:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=rettifica) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)

    assert sorted(outcomes) == ["ok", "refused"]
    assert Domanda.objects.filter(sostituisce=vecchia).count() == 1
    assert Domanda.objects.get(pk=vecchia.pk).stato == StatoDomanda.RETTIFICATA
