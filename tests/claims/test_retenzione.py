"""Retention (GDPR art. 5(1)(e)): expired drafts are deleted, closed domande past retention lose
their personal data, the protocol register and the receipts stay; the append-only triggers open
only for the anonymiser, only as far as it needs (claims/0014)."""

import datetime as dt
import hashlib
import json
from contextlib import nullcontext
from zoneinfo import ZoneInfo

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from claims.models import Domanda, EventoDomanda, Lavoratore, RichiestaRegione
from claims.services import retenzione as retenzione_service
from claims.services.domande import domanda_delete_draft, domanda_update
from claims.services.retenzione import (
    TESTO_ANONIMIZZATO,
    EsitoRetenzione,
    anonimizzazione_consentita,
    retenzione_run,
)
from claims.tasks import retenzione
from consuntivi.models import CaricamentoConsuntivo, Consuntivo, RigaCaricamento
from consuntivi.selectors import consuntivo_dati_trasmessi
from consuntivi.services import consuntivo_send
from protocollo.models import RegistrazioneProtocollo, Ricevuta
from protocollo.services import protocollo_register_documento, ricevuta_create
from tests.claims.factories import DomandaFactory
from tests.consuntivi.factories import APRILE, caricamento_in_coda, domanda_consuntivabile, righe

pytestmark = pytest.mark.django_db

ROMA = ZoneInfo("Europe/Rome")
T0 = dt.datetime(2026, 6, 1, 10, 0, tzinfo=ROMA)


@pytest.fixture(autouse=True)
def retention_settings(settings):
    settings.RETENZIONE_BOZZE_GIORNI = 180
    settings.RETENZIONE_DOMANDE_CHIUSE_GIORNI = 3650


# --- drafts ------------------------------------------------------------------------------------


def test_draft_untouched_past_the_limit_is_deleted_with_workers_history_and_agreement(
    time_machine, django_capture_on_commit_callbacks
):
    time_machine.move_to(T0)
    bozza = DomandaFactory()
    codici = list(bozza.lavoratori.values_list("codice_fiscale", flat=True))
    accordo = bozza.accordo_file.name
    assert default_storage.exists(accordo)

    time_machine.move_to(T0 + dt.timedelta(days=181))
    with django_capture_on_commit_callbacks(execute=True):  # the file goes once the rows have gone
        esito = retenzione_run()

    assert esito.bozze_cancellate == 1
    assert not Domanda.objects.filter(pk=bozza.pk).exists()
    assert not Lavoratore.objects.filter(codice_fiscale__in=codici).exists()
    assert not EventoDomanda.objects.filter(domanda_id=bozza.pk).exists()
    assert not default_storage.exists(accordo)


def test_draft_touched_within_the_limit_is_kept(time_machine):
    time_machine.move_to(T0)
    ferma, ripresa = DomandaFactory(), DomandaFactory()
    time_machine.move_to(T0 + dt.timedelta(days=100))
    domanda_update(actor=ripresa.creata_da, domanda=ripresa, referente_nome="Anna Blu")

    time_machine.move_to(T0 + dt.timedelta(days=179))
    assert retenzione_run().bozze_cancellate == 0
    time_machine.move_to(T0 + dt.timedelta(days=181))
    assert retenzione_run().bozze_cancellate == 1

    assert not Domanda.objects.filter(pk=ferma.pk).exists()
    assert Domanda.objects.filter(pk=ripresa.pk).exists()


def test_a_draft_the_company_deleted_goes_at_the_next_run_whatever_its_age(time_machine):
    time_machine.move_to(T0)
    eliminata, bozza = DomandaFactory(), DomandaFactory()
    codici = list(eliminata.lavoratori.values_list("codice_fiscale", flat=True))
    domanda_delete_draft(actor=eliminata.creata_da, domanda=eliminata)

    time_machine.move_to(T0 + dt.timedelta(days=1))
    assert retenzione_run().bozze_cancellate == 1

    assert not Domanda.objects.filter(pk=eliminata.pk).exists()
    assert not Lavoratore.objects.filter(codice_fiscale__in=codici).exists()
    assert Domanda.objects.filter(pk=bozza.pk).exists()


def test_the_draft_limit_is_configurable(time_machine, settings):
    settings.RETENZIONE_BOZZE_GIORNI = 30
    time_machine.move_to(T0)
    bozza = DomandaFactory()
    time_machine.move_to(T0 + dt.timedelta(days=31))
    retenzione_run()
    assert not Domanda.objects.filter(pk=bozza.pk).exists()


def test_every_due_draft_goes_batch_after_batch(time_machine, monkeypatch):
    monkeypatch.setattr(retenzione_service, "LOTTO", 2)
    time_machine.move_to(T0)
    bozze = [DomandaFactory(lavoratori=[]) for _ in range(5)]
    time_machine.move_to(T0 + dt.timedelta(days=181))
    assert retenzione_run().bozze_cancellate == 5
    assert not Domanda.objects.filter(pk__in=[b.pk for b in bozze]).exists()


def test_a_run_with_its_time_up_starts_no_new_domanda(time_machine):
    time_machine.move_to(T0)
    bozza = DomandaFactory(lavoratori=[])
    time_machine.move_to(T0 + dt.timedelta(days=181))
    assert retenzione_run(secondi=-1).bozze_cancellate == 0
    assert Domanda.objects.filter(pk=bozza.pk).exists()


def test_a_submitted_domanda_is_never_deleted_as_a_draft(time_machine):
    time_machine.move_to(T0)
    presentata = DomandaFactory(presentata=True)
    time_machine.move_to(T0 + dt.timedelta(days=4000))
    assert retenzione_run() == EsitoRetenzione(bozze_cancellate=0, domande_anonimizzate=0)
    presentata.refresh_from_db()
    assert presentata.lavoratori.exclude(cognome="ANONIMO").count() == 2
    assert presentata.referente_nome == "Paola Neri"


# --- closed domande -------------------------------------------------------------------------------


@pytest.fixture
def chiusa(time_machine):
    """A domanda accepted by INPS on T0, registered with its receipt, with a consuntivo sent (and
    registered) and an uploaded file, and a request to the Region with its answer."""
    time_machine.move_to(T0)
    domanda = domanda_consuntivabile(accolta_inps=True)
    ricevuta_create(registrazione=protocollo_register_documento(domanda))
    consuntivo = consuntivo_send(actor=domanda.creata_da, domanda=domanda, mese=APRILE, righe=righe(domanda))
    ricevuta_create(registrazione=protocollo_register_documento(consuntivo))
    caricamento_in_coda(domanda, ["codice_fiscale;ore", f"{domanda.lavoratori.first().codice_fiscale};8"])
    RichiestaRegione.objects.create(
        domanda=domanda,
        tipo="ANNULLAMENTO",
        motivo="Mario Rossi è stato licenziato",
        richiedente=domanda.creata_da,
    )
    return Domanda.objects.get(pk=domanda.pk)


def _register_rows():
    return list(RegistrazioneProtocollo.objects.order_by("pk").values()), list(
        Ricevuta.objects.order_by("pk").values()
    )


def test_closed_domanda_past_retention_loses_its_personal_data_and_keeps_the_register(
    chiusa, time_machine, django_capture_on_commit_callbacks
):
    codici = list(chiusa.lavoratori.values_list("codice_fiscale", flat=True))
    registro_prima = _register_rows()
    stati_prima = list(chiusa.eventi.order_by("pk").values_list("da", "a", "actor_id", "created_at"))
    ore_prima = list(chiusa.lavoratori.order_by("pk").values_list("ore_richieste", "ore_autorizzate"))
    accordo = chiusa.accordo_file.name

    caricamento = CaricamentoConsuntivo.objects.get(domanda=chiusa).file.name

    time_machine.move_to(T0 + dt.timedelta(days=3651))
    with django_capture_on_commit_callbacks(execute=True):
        assert retenzione_run().domande_anonimizzate == 1

    domanda = Domanda.objects.get(pk=chiusa.pk)
    assert domanda.anonimizzata_il is not None
    assert list(domanda.lavoratori.order_by("pk").values_list("codice_fiscale", "cognome", "nome")) == [
        ("ANONIMO000000001", "ANONIMO", "ANONIMO"),
        ("ANONIMO000000002", "ANONIMO", "ANONIMO"),
    ]
    assert (domanda.referente_nome, domanda.referente_email, domanda.referente_telefono) == ("", "", "")
    assert not domanda.accordo_file and not default_storage.exists(accordo)
    assert not default_storage.exists(caricamento)
    # No codice fiscale nor name is left anywhere in what the domanda and its consuntivi keep.
    conservato = json.dumps(
        [
            domanda.dati_presentati,
            [consuntivo_dati_trasmessi(c) for c in Consuntivo.objects.filter(domanda=domanda)],
            list(EventoDomanda.objects.filter(domanda=domanda).values("note", "dati")),
            list(RichiestaRegione.objects.filter(domanda=domanda).values("motivo", "risposta")),
            list(CaricamentoConsuntivo.objects.filter(domanda=domanda).values("nome_file", "file", "errori")),
        ]
    )
    for codice in codici:
        assert codice not in conservato
    assert "Paola Neri" not in conservato and "Mario Rossi" not in conservato
    assert domanda.dati_presentati["lavoratori"][0]["codice_fiscale"] == "ANONIMO000000001"
    # What the accounts need stays: states, dates, hours, numbers; the register is untouched.
    assert list(domanda.eventi.order_by("pk").values_list("da", "a", "actor_id", "created_at")) == stati_prima
    assert (
        list(domanda.lavoratori.order_by("pk").values_list("ore_richieste", "ore_autorizzate")) == ore_prima
    )
    assert domanda.protocollo == chiusa.protocollo
    assert _register_rows() == registro_prima
    ricevuta = Ricevuta.objects.get(registrazione=domanda.registrazione)
    with ricevuta.pdf.open("rb") as file:
        assert hashlib.sha256(file.read()).hexdigest() == ricevuta.sha256


def test_lines_of_an_upload_still_staged_go_with_the_anonymisation(chiusa, time_machine):
    """A checked file never confirmed keeps its lines, codici fiscali as written, until the sweep sets
    it aside: the anonymisation does not wait for the sweep."""
    caricamento = CaricamentoConsuntivo.objects.get(domanda=chiusa)
    codice = chiusa.lavoratori.first().codice_fiscale
    RigaCaricamento.objects.create(caricamento=caricamento, riga=2, codice_fiscale=codice, ore=8)

    time_machine.move_to(T0 + dt.timedelta(days=3651))
    retenzione_run()

    assert not RigaCaricamento.objects.filter(caricamento__domanda=chiusa).exists()


def test_closed_domanda_within_retention_is_untouched(chiusa, time_machine):
    time_machine.move_to(T0 + dt.timedelta(days=3649))
    assert retenzione_run().domande_anonimizzate == 0
    domanda = Domanda.objects.get(pk=chiusa.pk)
    assert domanda.anonimizzata_il is None
    assert domanda.referente_nome == "Paola Neri"
    assert domanda.dati_presentati == chiusa.dati_presentati


def test_an_open_domanda_is_never_anonymised(time_machine):
    time_machine.move_to(T0)
    in_istruttoria = DomandaFactory(in_istruttoria=True)
    time_machine.move_to(T0 + dt.timedelta(days=5000))
    assert retenzione_run().domande_anonimizzate == 0
    assert Domanda.objects.get(pk=in_istruttoria.pk).referente_nome == "Paola Neri"


def test_anonymisation_runs_once(chiusa, time_machine):
    time_machine.move_to(T0 + dt.timedelta(days=3651))
    assert retenzione_run().domande_anonimizzate == 1
    time_machine.move_to(T0 + dt.timedelta(days=3652))
    assert retenzione_run().domande_anonimizzate == 0


# --- the triggers' narrow door --------------------------------------------------------------------


def refused(
    sql: str, params=(), *, consenti: bool = False, match: str = "sola aggiunta|protocollato|non si modifica"
):
    porta = anonimizzazione_consentita() if consenti else nullcontext()
    with (
        pytest.raises(DatabaseError, match=match),
        transaction.atomic(),
        porta,
        connection.cursor() as cursor,
    ):
        cursor.execute(sql, params)


def test_ordinary_updates_of_history_and_snapshot_are_still_refused(chiusa):
    evento = chiusa.eventi.latest("pk")
    refused("UPDATE claims_eventodomanda SET note = 'x' WHERE id = %s", [evento.pk])
    refused("DELETE FROM claims_eventodomanda WHERE id = %s", [evento.pk])
    refused("UPDATE claims_domanda SET dati_presentati = '{}' WHERE id = %s", [chiusa.pk])


def test_the_anonymiser_may_not_rewrite_states_nor_delete_history_of_a_submitted_domanda(chiusa):
    evento = chiusa.eventi.latest("pk")
    refused("UPDATE claims_eventodomanda SET a = 'BOZZA' WHERE id = %s", [evento.pk], consenti=True)
    refused("UPDATE claims_eventodomanda SET actor_id = NULL WHERE id = %s", [evento.pk], consenti=True)
    refused("UPDATE claims_eventodomanda SET created_at = now() WHERE id = %s", [evento.pk], consenti=True)
    refused("DELETE FROM claims_eventodomanda WHERE id = %s", [evento.pk], consenti=True)
    refused("DELETE FROM claims_domanda WHERE id = %s", [chiusa.pk], consenti=True)


def test_the_anonymiser_may_not_touch_the_register_nor_the_receipts(chiusa):
    registrazione = chiusa.registrazione_id
    refused(
        "UPDATE claims_registrazioneprotocollo SET oggetto = 'x' WHERE id = %s",
        [registrazione],
        consenti=True,
    )
    refused("DELETE FROM claims_registrazioneprotocollo WHERE id = %s", [registrazione], consenti=True)
    refused(
        "UPDATE claims_ricevuta SET sha256 = %s WHERE registrazione_id = %s",
        ["0" * 64, registrazione],
        consenti=True,
    )
    refused("DELETE FROM claims_ricevuta WHERE registrazione_id = %s", [registrazione], consenti=True)


def test_the_door_closes_after_the_anonymiser_even_inside_a_longer_transaction(chiusa):
    with transaction.atomic():
        with anonimizzazione_consentita():
            EventoDomanda.objects.filter(domanda=chiusa).update(note=TESTO_ANONIMIZZATO)
        refused("UPDATE claims_eventodomanda SET note = 'x' WHERE domanda_id = %s", [chiusa.pk])
    refused("UPDATE claims_eventodomanda SET note = 'x' WHERE domanda_id = %s", [chiusa.pk])


# --- how it runs ------------------------------------------------------------------------------------


def test_management_command_counts_then_applies(time_machine):
    time_machine.move_to(T0)
    bozza = DomandaFactory()
    time_machine.move_to(T0 + dt.timedelta(days=200))

    call_command("retenzione", "--dry-run", stdout=(prova := _Out()))
    assert "Da cancellare: 1 bozze (ferme da più di 180 giorni)" in prova.text
    assert Domanda.objects.filter(pk=bozza.pk).exists()

    call_command("retenzione", stdout=(fatto := _Out()))
    assert fatto.text.strip() == "Bozze cancellate: 1; domande anonimizzate: 0."
    assert not Domanda.objects.filter(pk=bozza.pk).exists()


def test_beat_runs_retention_every_night(settings, time_machine):
    voce = settings.CELERY_BEAT_SCHEDULE["retenzione-dati-personali"]
    assert voce["task"] == "claims.tasks.retenzione"
    assert (voce["schedule"].hour, voce["schedule"].minute) == ({2}, {40})

    time_machine.move_to(T0)
    bozza = DomandaFactory()
    time_machine.move_to(T0 + dt.timedelta(days=181))
    assert retenzione.apply().get() == {"bozze_cancellate": 1, "domande_anonimizzate": 0}
    assert not Domanda.objects.filter(pk=bozza.pk).exists()


class _Out:
    def __init__(self):
        self.text = ""

    def write(self, s):
        self.text += s

    def flush(self):
        pass
