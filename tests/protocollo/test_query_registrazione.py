"""A registration is one statement whatever the document: one call of `protocollo_registra_documento()`
that locks the document, takes the number, inserts the registration and links it, with the subject and
the fingerprint stored at the submission. A document submitted before they were stored is read and
prepared first, in the same transaction. Savepoints are not counted: they exist only because the test
runs inside a transaction."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from claims.models import Domanda
from claims.services.domande import domanda_submit
from protocollo import services
from protocollo.models import RegistrazioneProtocollo
from protocollo.services import impronta, protocollo_register_documento
from protocollo.tasks import registra_documento
from tests.claims.factories import DomandaFactory, LavoratoreFactory
from tests.conftest import broker_giu

pytestmark = pytest.mark.django_db


def statements(ctx: CaptureQueriesContext) -> list[str]:
    return [q["sql"] for q in ctx.captured_queries if "SAVEPOINT" not in q["sql"].split(" ", 2)[:2]]


def submitted_before_the_fields_existed(domanda: Domanda) -> Domanda:
    Domanda.objects.filter(pk=domanda.pk).update(oggetto_protocollo=None, impronta_dati=None)
    domanda.refresh_from_db()
    return domanda


@pytest.mark.parametrize("lavoratori", [1, 30])
def test_registration_takes_one_statement_whatever_the_size_of_the_domanda(lavoratori):
    domanda = DomandaFactory(lavoratori=[])
    LavoratoreFactory.create_batch(lavoratori, domanda=domanda)
    with broker_giu():
        domanda_submit(actor=domanda.creata_da, domanda=domanda)

    with CaptureQueriesContext(connection) as ctx:
        registrazione = protocollo_register_documento(domanda)

    assert registrazione.numero == 1
    sql = statements(ctx)
    assert len(sql) == 1, "\n".join(sql)
    assert "protocollo_registra_documento(" in sql[0]
    domanda.refresh_from_db()
    assert domanda.registrazione == registrazione
    assert RegistrazioneProtocollo.objects.get() == registrazione
    assert registrazione.impronta == impronta(domanda.dati_presentati)
    assert domanda.azienda.ragione_sociale in registrazione.oggetto


def test_a_registration_read_back_is_the_one_returned():
    """The instance is built from what the call returns, without reading the row: it must be the row."""
    domanda = DomandaFactory(presentata=True)

    registrazione = protocollo_register_documento(domanda)
    ancora = protocollo_register_documento(domanda)  # already registered: the stored row, returned

    riletta = RegistrazioneProtocollo.objects.get()
    campi = [
        "pk",
        "anno",
        "numero",
        "registrata_il",
        "tipo_documento",
        "oggetto",
        "impronta",
        "codice_verifica",
    ]
    for campo in campi:
        assert getattr(registrazione, campo) == getattr(riletta, campo) == getattr(ancora, campo), campo
    assert not registrazione._state.adding


def test_a_document_submitted_before_the_subject_and_fingerprint_were_stored_gets_the_same_ones():
    preparata = DomandaFactory(presentata=True)
    vecchia = submitted_before_the_fields_existed(DomandaFactory(presentata=True, sede=preparata.sede))

    with CaptureQueriesContext(connection) as ctx:
        registrazione = protocollo_register_documento(vecchia)

    sql = statements(ctx)
    assert len(sql) == 3, "\n".join(sql)  # the call, the document's locked read, the call again
    assert registrazione.impronta == impronta(vecchia.dati_presentati)
    assert registrazione.oggetto == preparata.oggetto_protocollo
    assert registrazione.numero == 1
    assert protocollo_register_documento(preparata).numero == 2


def test_the_task_registers_and_asks_for_the_receipt_without_reading_more():
    domanda = DomandaFactory(presentata=True)

    with broker_giu(), CaptureQueriesContext(connection) as ctx:
        assert (
            registra_documento.apply(args=("DOMANDA", domanda.pk)).get()
            == f"{domanda.presentata_il.year}/0000001"
        )

    sql = statements(ctx)
    assert len(sql) <= 4, "\n".join(sql)


def test_a_repeated_verification_code_is_drawn_again_without_losing_the_number(monkeypatch):
    prima = protocollo_register_documento(DomandaFactory(presentata=True))
    codici = iter([prima.codice_verifica, "ZZZZZZZZZZ"])
    monkeypatch.setattr(services, "_codice_verifica", lambda: next(codici))

    seconda = protocollo_register_documento(DomandaFactory(presentata=True))

    assert (seconda.numero, seconda.codice_verifica) == (2, "ZZZZZZZZZZ")
    assert list(RegistrazioneProtocollo.objects.order_by("numero").values_list("numero", flat=True)) == [1, 2]


def test_a_later_number_never_carries_an_earlier_time(time_machine):
    """The time is read before waiting for the counter: if the previous number of the year got a
    later time meanwhile (here: a clock that went back), the registration carries that time."""
    roma = ZoneInfo("Europe/Rome")
    time_machine.move_to(dt.datetime(2026, 5, 4, 10, 30, tzinfo=roma), tick=False)
    prima = protocollo_register_documento(DomandaFactory(presentata=True))
    time_machine.move_to(dt.datetime(2026, 5, 4, 10, 29, tzinfo=roma), tick=False)

    seconda = protocollo_register_documento(DomandaFactory(presentata=True))

    assert (prima.numero, seconda.numero) == (1, 2)
    assert seconda.registrata_il == prima.registrata_il == dt.datetime(2026, 5, 4, 10, 30, tzinfo=roma)
    assert RegistrazioneProtocollo.objects.get(numero=2).registrata_il == prima.registrata_il


def test_without_postgresql_the_orm_numbers_the_same_register(monkeypatch):
    """The embedded SQLite of development has no PL/pgSQL: the same writes go through the ORM, on
    the same counter, so a database that changes engine keeps its numbering."""
    protocollo_register_documento(DomandaFactory(presentata=True))
    monkeypatch.setattr(connection, "vendor", "sqlite")
    domanda = DomandaFactory(presentata=True)

    with CaptureQueriesContext(connection) as ctx:
        registrazione = protocollo_register_documento(domanda)

    assert registrazione.numero == 2
    assert not any("protocollo_registra" in sql for sql in statements(ctx))
    domanda.refresh_from_db()
    assert domanda.registrazione == registrazione
