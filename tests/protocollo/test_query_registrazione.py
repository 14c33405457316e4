"""A registration is four statements (lock the document, take the number, insert, link), whatever the
document: the counter row stays locked for as short a time as possible. Savepoints are not counted:
they exist only because the test runs inside a transaction."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from claims.services.domande import domanda_submit
from protocollo import services
from protocollo.models import RegistrazioneProtocollo
from protocollo.services import protocollo_register_documento
from protocollo.tasks import registra_documento
from tests.claims.factories import DomandaFactory, LavoratoreFactory
from tests.conftest import broker_giu

pytestmark = pytest.mark.django_db


def statements(ctx: CaptureQueriesContext) -> list[str]:
    return [q["sql"] for q in ctx.captured_queries if "SAVEPOINT" not in q["sql"].split(" ", 2)[:2]]


@pytest.mark.parametrize("lavoratori", [1, 30])
def test_registration_takes_four_statements_whatever_the_size_of_the_domanda(lavoratori):
    domanda = DomandaFactory(lavoratori=[])
    LavoratoreFactory.create_batch(lavoratori, domanda=domanda)
    with broker_giu():
        domanda_submit(actor=domanda.creata_da, domanda=domanda)

    with CaptureQueriesContext(connection) as ctx:
        registrazione = protocollo_register_documento(domanda)

    assert registrazione.numero == 1
    sql = statements(ctx)
    assert len(sql) <= 4, "\n".join(sql)


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
