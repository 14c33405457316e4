"""The register moved from `claims` to `protocollo` in place: a database of the previous schema, with a
registered domanda and consuntivo written through that schema's models, migrates with every row, number
and receipt where it was, and the append-only triggers in force."""

import datetime as dt

import pytest
from django.db import DatabaseError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from claims.models import Domanda
from consuntivi.models import Consuntivo
from tests.claims.factories import DomandaFactory

PRIMA = [
    ("claims", "0004_autodichiarazione_piccole_imprese"),
    ("consuntivi", "0003_massimali_inps"),
    ("protocollo", None),
]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    nodes = [(app, name) for app, name in targets if name is not None]
    return MigrationExecutor(connection).loader.project_state(nodes).apps


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("broker_irraggiungibile")
def test_previous_schema_migrates_in_place_keeping_numbers_and_receipts():
    domanda = DomandaFactory(presentata=True)
    consuntivo = Consuntivo.objects.create(
        domanda=domanda, mese=dt.date(2026, 4, 1), inviato_il=timezone.now(), inviato_da=domanda.creata_da
    )
    try:
        vecchie = migrate(PRIMA)
        Registrazione = vecchie.get_model("claims", "RegistrazioneProtocollo")
        Ricevuta = vecchie.get_model("claims", "Ricevuta")
        comune = {"anno": 2026, "registrata_il": timezone.now(), "impronta": "a" * 64}
        della_domanda = Registrazione.objects.create(
            numero=1, tipo_documento="DOMANDA", oggetto="Domanda CIGD", codice_verifica="DOM1", **comune
        )
        del_consuntivo = Registrazione.objects.create(
            numero=2, tipo_documento="CONSUNTIVO", oggetto="Consuntivo CIGD", codice_verifica="CON2", **comune
        )
        Ricevuta.objects.create(registrazione=della_domanda, pdf="ricevute/2026/r1.pdf", sha256="b" * 64)
        vecchie.get_model("claims", "Domanda").objects.filter(pk=domanda.pk).update(
            registrazione=della_domanda
        )
        vecchie.get_model("consuntivi", "Consuntivo").objects.filter(pk=consuntivo.pk).update(
            registrazione=del_consuntivo
        )
    finally:
        migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

    domanda = Domanda.objects.select_related("registrazione__ricevuta").get(pk=domanda.pk)
    consuntivo = Consuntivo.objects.get(pk=consuntivo.pk)
    assert domanda.protocollo == "2026/0000001"
    assert domanda.registrazione.tipo_documento_etichetta == "Domanda"
    assert domanda.registrazione.ricevuta.sha256 == "b" * 64
    assert consuntivo.protocollo == "2026/0000002"
    assert consuntivo.registrazione.tipo_documento_etichetta == "Consuntivo"
    with pytest.raises(DatabaseError, match="protocollato"), transaction.atomic():
        Consuntivo.objects.filter(pk=consuntivo.pk).update(registrazione=None)
    with pytest.raises(DatabaseError, match="sola aggiunta"), transaction.atomic():
        domanda.registrazione.ricevuta.delete()
