"""What was registered, received and decided is append-only in the database too: the history of a
domanda, its submission snapshot, the receipt's PDF and hash, and the register itself (TRUNCATE too)."""

import hashlib

import pytest
from django.db import DatabaseError, connection, transaction

from claims.models import Domanda, EventoDomanda
from claims.services.domande import domanda_submit
from protocollo.models import Ricevuta
from protocollo.services import protocollo_register_documento, ricevuta_create
from tests.claims.factories import DomandaFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def presentata():
    bozza = DomandaFactory()
    return domanda_submit(actor=bozza.creata_da, domanda=bozza)


def refused(sql: str, params=(), match="sola aggiunta"):
    with pytest.raises(DatabaseError, match=match), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_history_rows_are_never_changed_nor_deleted(presentata):
    evento = EventoDomanda.objects.filter(domanda=presentata).latest("pk")

    with pytest.raises(DatabaseError, match="sola aggiunta"), transaction.atomic():
        EventoDomanda.objects.filter(pk=evento.pk).update(note="riscritta")
    refused("DELETE FROM claims_eventodomanda WHERE id = %s", [evento.pk])

    evento.refresh_from_db()
    assert evento.note != "riscritta"


def test_the_submission_snapshot_never_changes(presentata):
    originale = Domanda.objects.get(pk=presentata.pk).dati_presentati

    with pytest.raises(DatabaseError, match="sola aggiunta"), transaction.atomic():
        Domanda.objects.filter(pk=presentata.pk).update(dati_presentati={"lavoratori": []})

    assert Domanda.objects.get(pk=presentata.pk).dati_presentati == originale


def test_a_receipt_keeps_its_pdf_and_hash_and_is_never_deleted(presentata):
    ricevuta = ricevuta_create(registrazione=protocollo_register_documento(presentata))

    with pytest.raises(DatabaseError, match="sola aggiunta"), transaction.atomic():
        Ricevuta.objects.filter(pk=ricevuta.pk).update(sha256="0" * 64)
    refused("DELETE FROM claims_ricevuta WHERE id = %s", [ricevuta.pk])

    ricevuta.refresh_from_db()
    with ricevuta.pdf.open("rb") as file:
        assert hashlib.sha256(file.read()).hexdigest() == ricevuta.sha256


@pytest.mark.parametrize(
    "tabella", ["claims_registrazioneprotocollo", "claims_ricevuta", "claims_eventodomanda"]
)
def test_truncate_is_refused_unless_the_session_allows_it(presentata, tabella):
    with connection.cursor() as cursor:
        cursor.execute("RESET aminder.svuotamento_consentito")
    try:
        refused(f"SET CONSTRAINTS ALL IMMEDIATE; TRUNCATE {tabella} CASCADE")
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SET aminder.svuotamento_consentito = 'on'")
    assert EventoDomanda.objects.filter(domanda=presentata).exists()
