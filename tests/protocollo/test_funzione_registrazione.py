"""`protocollo_registra_documento()` as `migrate` leaves it: a static link statement for every
registered document table (planned once per connection, not on every call), the dynamic one for a
table it does not know. The test database is made by `migrate`, so this is the function it installed."""

import pytest
from django.core.exceptions import ObjectDoesNotExist
from django.core.management.sql import emit_post_migrate_signal
from django.db import connection
from django.utils import timezone

from protocollo import registry
from protocollo.services import protocollo_register
from tests.protocollo.test_registry import Verbale, VerbaleProtocollabile

pytestmark = pytest.mark.django_db

COLLEGAMENTO_DINAMICO = "EXECUTE format(\n            'UPDATE %s SET registrazione_id"


def sorgente() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT prosrc FROM pg_proc WHERE proname = 'protocollo_registra_documento'")
        (testo,) = cursor.fetchone()
    return testo


def collegamento_statico(tabella: str) -> str:
    return f"UPDATE {connection.ops.quote_name(tabella)} SET registrazione_id"  # noqa: S608 - searched, not run


def test_every_registered_document_table_is_linked_by_a_static_statement():
    testo = sorgente()

    tabelle = {adapter.model._meta.db_table for adapter in registry.adapters()}
    assert tabelle >= {"claims_domanda", "consuntivi_consuntivo", "autorizzazioni_determinazione"}
    for tabella in tabelle:
        assert collegamento_statico(tabella) in testo, tabella
    assert COLLEGAMENTO_DINAMICO in testo  # for a table it does not know


@pytest.fixture
def verbali_dopo_il_migrate():
    """A type registered after `migrate` installed the function: it does not know its table."""
    with connection.schema_editor() as editor:
        editor.create_model(Verbale)  # rolled back with the test's transaction
    registry.register(VerbaleProtocollabile())
    yield
    registry.unregister("VERBALE")


def test_a_table_the_function_does_not_know_is_registered_through_the_dynamic_link(verbali_dopo_il_migrate):
    assert collegamento_statico(Verbale._meta.db_table) not in sorgente()
    verbale = Verbale.objects.create(testo="collaudo", inviato_il=timezone.now())

    registrazione = protocollo_register(tipo="VERBALE", pk=verbale.pk)

    verbale.refresh_from_db()
    assert verbale.registrazione == registrazione
    assert (registrazione.numero, registrazione.oggetto) == (1, "Verbale di prova – collaudo")
    assert protocollo_register(tipo="VERBALE", pk=verbale.pk) == registrazione  # found, not numbered again


def test_the_next_migrate_writes_the_link_of_a_newly_registered_table(verbali_dopo_il_migrate):
    primo = Verbale.objects.create(testo="prima", inviato_il=timezone.now())
    secondo = Verbale.objects.create(testo="dopo", inviato_il=timezone.now())
    protocollo_register(tipo="VERBALE", pk=primo.pk)

    emit_post_migrate_signal(verbosity=0, interactive=False, db=connection.alias)  # what migrate ends with

    assert collegamento_statico(Verbale._meta.db_table) in sorgente()
    registrazione = protocollo_register(tipo="VERBALE", pk=secondo.pk)
    secondo.refresh_from_db()
    assert secondo.registrazione == registrazione
    assert registrazione.numero == 2
    assert protocollo_register(tipo="VERBALE", pk=secondo.pk) == registrazione
    with pytest.raises(ObjectDoesNotExist):
        protocollo_register(tipo="VERBALE", pk=secondo.pk + 1000)
