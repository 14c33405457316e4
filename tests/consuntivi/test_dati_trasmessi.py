"""What a sent consuntivo transmitted, and its fingerprint in the register: the lines are kept once,
in `RigaConsuntivo`, and the fingerprint still covers each of them, in the order they were sent;
consuntivi sent when the snapshot held the lines keep that snapshot and its fingerprint."""

import hashlib
import json
from decimal import Decimal

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.utils import timezone

from consuntivi.constants import StatoCaricamento
from consuntivi.models import Consuntivo, RigaConsuntivo
from consuntivi.retenzione import consuntivi_anonymise
from consuntivi.selectors import consuntivo_dati_trasmessi
from consuntivi.services import consuntivo_send
from protocollo.services import protocollo_register_documento

from .factories import APRILE, domanda_consuntivabile
from .test_caricamenti import csv_file, upload

pytestmark = pytest.mark.django_db


def sha256_canonico(dati) -> str:
    """The fingerprint as anyone holding the data recomputes it (protocollo.services.impronta)."""
    testo = json.dumps(dati, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(testo.encode("utf-8")).hexdigest()


def test_an_upload_keeps_its_lines_once_and_the_fingerprint_covers_each_in_file_order():
    domanda = domanda_consuntivabile(lavoratori=3)
    lavoratori = list(domanda.lavoratori.order_by("-pk"))  # the file lists them backwards
    rows = [
        (lavoratori[0].codice_fiscale, "", "", "8", "1.850,5"),
        (lavoratori[1].codice_fiscale, "", "", "12,5", ""),
        (lavoratori[2].codice_fiscale, "", "", "0", "2000"),
    ]
    caricamento = upload(domanda, csv_file(rows))
    assert caricamento.stato == StatoCaricamento.INVIATO, caricamento.errori
    consuntivo = Consuntivo.objects.get()

    registrazione = protocollo_register_documento(consuntivo)

    assert "righe" not in consuntivo.dati_inviati  # the snapshot keeps the header and the totals
    trasmessi = {
        **consuntivo.dati_inviati,
        "righe": [
            {
                "codice_fiscale": lav.codice_fiscale,
                "cognome": lav.cognome,
                "nome": lav.nome,
                "ore": ore,
                "retribuzione_mensile": retribuzione,
            }
            for lav, ore, retribuzione in zip(
                lavoratori, ["8.0", "12.5", "0.0"], ["1850.50", None, "2000.00"], strict=True
            )
        ],
    }
    assert consuntivo.dati_inviati["ore_totali"] == "20.5"
    assert consuntivo_dati_trasmessi(consuntivo) == trasmessi
    assert registrazione.impronta == sha256_canonico(trasmessi)


def test_the_form_and_the_upload_transmit_the_same_data_for_the_same_lines():
    inviato = domanda_consuntivabile(lavoratori=2)
    caricato = domanda_consuntivabile(lavoratori=2)
    consuntivo = consuntivo_send(
        actor=inviato.creata_da,
        domanda=inviato,
        mese=APRILE,
        righe=[
            {"codice_fiscale": lav.codice_fiscale, "ore": "16"} for lav in inviato.lavoratori.order_by("pk")
        ],
    )
    upload(
        caricato,
        csv_file([(lav.codice_fiscale, "", "", "16", "") for lav in caricato.lavoratori.order_by("pk")]),
    )

    def righe_senza_nomi(c):
        return [(r["ore"], r["retribuzione_mensile"]) for r in consuntivo_dati_trasmessi(c)["righe"]]

    assert righe_senza_nomi(consuntivo) == righe_senza_nomi(Consuntivo.objects.get(domanda=caricato))
    assert righe_senza_nomi(consuntivo) == [("16.0", None), ("16.0", None)]
    assert consuntivo.dati_inviati["ore_totali"] == "32.0"


def _consuntivo_di_prima(domanda) -> tuple[Consuntivo, dict]:
    """A consuntivo as sent before consuntivi/0008: its lines in the snapshot too, hours as typed."""
    lavoratore = domanda.lavoratori.first()
    snapshot = {
        "domanda": domanda.pk,
        "mese": "2026-04",
        "inviato_da": domanda.creata_da.codice_fiscale,
        "righe": [
            {
                "codice_fiscale": lavoratore.codice_fiscale,
                "cognome": lavoratore.cognome,
                "nome": lavoratore.nome,
                "ore": "16",
                "retribuzione_mensile": None,
            }
        ],
        "ore_totali": "16",
    }
    consuntivo = Consuntivo.objects.create(
        domanda=domanda,
        mese=APRILE,
        inviato_il=timezone.now(),
        inviato_da=domanda.creata_da,
        dati_inviati=snapshot,
    )
    RigaConsuntivo.objects.create(consuntivo=consuntivo, lavoratore=lavoratore, ore=Decimal("16.0"))
    return consuntivo, snapshot


def test_a_consuntivo_sent_with_its_lines_in_the_snapshot_keeps_its_data_and_fingerprint():
    consuntivo, snapshot = _consuntivo_di_prima(domanda_consuntivabile(lavoratori=1))

    registrazione = protocollo_register_documento(consuntivo)

    assert consuntivo_dati_trasmessi(consuntivo) == snapshot  # "16", as it was stored, not "16.0"
    assert registrazione.impronta == sha256_canonico(snapshot)


def test_anonymisation_rewrites_the_lines_of_an_old_snapshot_and_adds_none_to_a_new_one():
    vecchio, _snapshot = _consuntivo_di_prima(domanda_consuntivabile(lavoratori=1))
    domanda = domanda_consuntivabile(lavoratori=1)
    lavoratore = domanda.lavoratori.get()
    upload(domanda, csv_file([(lavoratore.codice_fiscale, "", "", "8", "")]))
    nuovo = Consuntivo.objects.get(domanda=domanda)

    for consuntivo in (vecchio, nuovo):
        lavoratore = consuntivo.domanda.lavoratori.get()
        consuntivi_anonymise(consuntivo.domanda, {lavoratore.codice_fiscale: "ANONIMO000000001"})
        consuntivo.refresh_from_db()

    assert vecchio.dati_inviati["righe"][0]["codice_fiscale"] == "ANONIMO000000001"
    assert vecchio.dati_inviati["righe"][0]["cognome"] == "ANONIMO"
    assert "righe" not in nuovo.dati_inviati
    assert len(consuntivo_dati_trasmessi(nuovo)["righe"]) == 1


# --- the lines in the database ------------------------------------------------------------------


def _inviato():
    domanda = domanda_consuntivabile(lavoratori=2)
    lavoratori = list(domanda.lavoratori.order_by("pk"))
    consuntivo = consuntivo_send(
        actor=domanda.creata_da,
        domanda=domanda,
        mese=APRILE,
        righe=[{"codice_fiscale": lavoratori[0].codice_fiscale, "ore": "8"}],
    )
    return consuntivo, lavoratori


def _sql(statement: str, *params) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement, params)


def test_a_line_must_name_a_worker_of_its_consuntivo_s_domanda():
    consuntivo, lavoratori = _inviato()
    estraneo = domanda_consuntivabile(lavoratori=1).lavoratori.get()

    with pytest.raises(IntegrityError, match="lavoratore della sua domanda"), transaction.atomic():
        RigaConsuntivo.objects.bulk_create(
            [
                RigaConsuntivo(consuntivo=consuntivo, lavoratore=lavoratori[1], ore=Decimal(1)),
                RigaConsuntivo(consuntivo=consuntivo, lavoratore=estraneo, ore=Decimal(1)),
            ]
        )
    with pytest.raises(IntegrityError, match="appartenere a un consuntivo"), transaction.atomic():
        RigaConsuntivo.objects.create(
            consuntivo_id=consuntivo.pk + 1000, lavoratore=lavoratori[1], ore=Decimal(1)
        )
    assert consuntivo.righe.count() == 1


def test_sent_lines_are_never_changed_nor_deleted_nor_what_they_name():
    consuntivo, lavoratori = _inviato()
    tabella = RigaConsuntivo._meta.db_table

    with pytest.raises(DatabaseError, match="sola aggiunta"):
        _sql(f"UPDATE {tabella} SET ore = 40")  # noqa: S608 (a table name)
    with pytest.raises(DatabaseError, match="sola aggiunta"):
        _sql(f"DELETE FROM {tabella}")  # noqa: S608
    with pytest.raises(IntegrityError, match="ha righe di consuntivi inviati"):
        _sql("DELETE FROM claims_lavoratore WHERE id = %s", lavoratori[0].pk)
    with pytest.raises(IntegrityError, match="ha righe di consuntivi inviati"), transaction.atomic():
        lavoratori[0].delete()
    with pytest.raises(IntegrityError, match="inviato con le sue righe"):
        _sql("DELETE FROM consuntivi_consuntivo WHERE id = %s", consuntivo.pk)

    _sql("DELETE FROM claims_lavoratore WHERE id = %s", lavoratori[1].pk)  # no lines: may go
    assert list(consuntivo.righe.values_list("lavoratore", "ore")) == [(lavoratori[0].pk, Decimal("8.0"))]
