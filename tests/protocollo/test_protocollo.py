"""The protocol register without a worker (tasks run eagerly): numbering, idempotence, the year,
the outbox sweep, and the database refusing to rewrite the register."""

import datetime as dt
import hashlib
import io
import re
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache
from django.core.exceptions import ObjectDoesNotExist
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from claims.constants import StatoDomanda
from claims.models import Domanda
from claims.services.domande import domanda_submit
from consuntivi.models import Consuntivo
from core.exceptions import NotAllowed
from protocollo.models import RegistrazioneProtocollo, Ricevuta
from protocollo.services import impronta, protocollo_register, protocollo_register_documento
from protocollo.tasks import daily_register, registra_documento, sweep_outbox
from tests.claims.factories import DomandaFactory

pytestmark = pytest.mark.django_db

ROMA = ZoneInfo("Europe/Rome")


def consuntivo_of(domanda: Domanda, **campi) -> Consuntivo:
    return Consuntivo.objects.create(
        domanda=domanda,
        mese=domanda.data_inizio.replace(day=1),
        inviato_il=campi.pop("inviato_il", timezone.now()),
        inviato_da=domanda.creata_da,
        dati_inviati={"righe": [{"codice_fiscale": "X", "ore": "8.0"}]},
        **campi,
    )


def reloaded(documento):
    documento.refresh_from_db()
    return documento


# --- numbering ---------------------------------------------------------------------------------


def test_segnatura_is_year_slash_seven_digit_number():
    assert RegistrazioneProtocollo(anno=2026, numero=42).segnatura == "2026/0000042"
    assert RegistrazioneProtocollo(anno=2027, numero=12345678).segnatura == "2027/12345678"


def test_registration_records_number_time_object_fingerprint_and_code(time_machine):
    domanda = DomandaFactory(presentata=True)
    time_machine.move_to(dt.datetime(2026, 5, 4, 10, 30, tzinfo=ROMA), tick=False)

    registrazione = protocollo_register_documento(domanda)

    assert (registrazione.anno, registrazione.numero) == (2026, 1)
    assert registrazione.segnatura == "2026/0000001"
    assert registrazione.registrata_il == dt.datetime(2026, 5, 4, 10, 30, tzinfo=ROMA)
    assert registrazione.tipo_documento == "DOMANDA"
    assert domanda.azienda.ragione_sociale in registrazione.oggetto
    assert f"sede {domanda.sede.denominazione}" in registrazione.oggetto
    assert registrazione.impronta == impronta(domanda.dati_presentati)
    assert re.fullmatch(r"[A-HJKMNP-Z2-9]{10}", registrazione.codice_verifica)
    assert reloaded(domanda).registrazione == registrazione
    assert reloaded(domanda).protocollo == "2026/0000001"


def test_fingerprint_is_sha256_of_canonical_json():
    # keys sorted, no spaces, UTF-8 as written (not \\u escapes)
    canonico = '{"a":"è","b":[1,2]}'
    assert impronta({"b": [1, 2], "a": "è"}) == hashlib.sha256(canonico.encode("utf-8")).hexdigest()


def test_numbers_follow_each_other_across_domande_and_consuntivi():
    prima, seconda = DomandaFactory(presentata=True), DomandaFactory(presentata=True)
    consuntivo = consuntivo_of(prima)

    numeri = [
        protocollo_register_documento(prima).numero,
        protocollo_register_documento(consuntivo).numero,
        protocollo_register_documento(seconda).numero,
    ]

    assert numeri == [1, 2, 3]
    assert reloaded(consuntivo).registrazione.tipo_documento == "CONSUNTIVO"
    assert "Consuntivo" in consuntivo.registrazione.oggetto


def test_registering_twice_returns_the_same_registration():
    domanda = DomandaFactory(presentata=True)

    prima = protocollo_register_documento(domanda)
    seconda = protocollo_register_documento(domanda)

    assert prima == seconda
    assert RegistrazioneProtocollo.objects.count() == 1
    assert protocollo_register_documento(DomandaFactory(presentata=True)).numero == 2


def test_task_run_twice_registers_once():
    domanda = DomandaFactory(presentata=True)

    registra_documento.apply(args=("DOMANDA", domanda.pk))
    registra_documento.apply(args=("DOMANDA", domanda.pk))

    assert RegistrazioneProtocollo.objects.count() == 1
    assert reloaded(domanda).registrazione.numero == 1


def test_draft_is_never_registered():
    bozza = DomandaFactory()

    with pytest.raises(NotAllowed):
        protocollo_register_documento(bozza)

    registra_documento.apply(args=("DOMANDA", bozza.pk))  # a task for a draft does nothing, and does not fail
    assert RegistrazioneProtocollo.objects.count() == 0


def test_a_document_that_does_not_exist_is_not_numbered():
    registra_documento.apply(args=("DOMANDA", 987654))  # logged, and the task does not fail

    with pytest.raises(ObjectDoesNotExist):
        protocollo_register(tipo="DOMANDA", pk=987654)
    assert RegistrazioneProtocollo.objects.count() == 0
    assert protocollo_register_documento(DomandaFactory(presentata=True)).numero == 1


def test_rolled_back_registration_leaves_no_gap():
    annullata, successiva = DomandaFactory(presentata=True), DomandaFactory(presentata=True)

    with pytest.raises(ZeroDivisionError), transaction.atomic():
        assert protocollo_register_documento(annullata).numero == 1
        1 / 0  # noqa: B018 - anything failing after the number was taken, in the same transaction

    assert reloaded(annullata).registrazione is None
    assert protocollo_register_documento(successiva).numero == 1
    assert protocollo_register_documento(annullata).numero == 2


def test_numbering_restarts_at_one_on_first_january_rome_time(time_machine):
    a, b, c, d = (DomandaFactory(presentata=True) for _ in range(4))

    time_machine.move_to(dt.datetime(2026, 12, 31, 23, 59, 59, tzinfo=ROMA), tick=False)
    assert protocollo_register_documento(a).segnatura == "2026/0000001"
    assert protocollo_register_documento(b).segnatura == "2026/0000002"

    # 23:30 UTC on 31 December is already 00:30 of 1 January in Rome
    time_machine.move_to(dt.datetime(2026, 12, 31, 23, 30, tzinfo=dt.UTC), tick=False)
    assert protocollo_register_documento(c).segnatura == "2027/0000001"

    time_machine.move_to(dt.datetime(2027, 1, 1, 9, 0, tzinfo=ROMA), tick=False)
    assert protocollo_register_documento(d).segnatura == "2027/0000002"


# --- the outbox --------------------------------------------------------------------------------


def presenta(domanda: Domanda) -> None:
    """A submission: the domanda is marked submitted and its number is asked for after the commit."""
    domanda_submit(actor=domanda.creata_da, domanda=domanda)


def test_number_is_assigned_after_the_submission_commits(django_capture_on_commit_callbacks):
    domanda = DomandaFactory()

    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        presenta(domanda)
        assert reloaded(domanda).registrazione is None  # not inside the submission transaction

    assert len(callbacks) == 1
    assert reloaded(domanda).protocollo is not None


def test_receipt_follows_the_registration_and_is_emailed(django_capture_on_commit_callbacks, mailoutbox):
    domanda = DomandaFactory()

    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        presenta(domanda)

    registrazione = reloaded(domanda).registrazione
    assert Ricevuta.objects.filter(registrazione=registrazione).exists()
    assert [m.to for m in mailoutbox] == [[domanda.referente_email]]
    assert registrazione.segnatura in mailoutbox[0].subject


def test_rolled_back_submission_asks_for_no_number(django_capture_on_commit_callbacks):
    domanda = DomandaFactory()

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(ZeroDivisionError),
        transaction.atomic(),
    ):
        presenta(domanda)
        1 / 0  # noqa: B018

    assert callbacks == []
    assert RegistrazioneProtocollo.objects.count() == 0


def test_domanda_submit_gets_a_protocol_number(django_capture_on_commit_callbacks):
    domanda = DomandaFactory()

    with django_capture_on_commit_callbacks(execute=True):
        domanda_submit(actor=domanda.creata_da, domanda=domanda)

    domanda.refresh_from_db()
    assert domanda.stato == StatoDomanda.PRESENTATA
    assert domanda.registrazione.impronta == impronta(domanda.dati_presentati)


def test_sweep_registers_documents_waiting_for_more_than_a_minute():
    cache.clear()
    in_attesa = DomandaFactory(presentata=True, presentata_il=timezone.now() - dt.timedelta(minutes=2))
    appena_presentata = DomandaFactory(presentata=True)
    consuntivo = consuntivo_of(in_attesa, inviato_il=timezone.now() - dt.timedelta(minutes=5))
    DomandaFactory()  # a draft is not waiting for anything

    fatto = sweep_outbox()

    assert fatto["DOMANDA"] == 1
    assert fatto["CONSUNTIVO"] == 1
    assert reloaded(in_attesa).protocollo is not None
    assert reloaded(consuntivo).protocollo is not None
    assert reloaded(appena_presentata).protocollo is None


def test_sweep_command_registers_every_pending_document_and_says_so():
    domande = [DomandaFactory(presentata=True) for _ in range(2)]
    out = io.StringIO()

    call_command("protocollo_sweep", "--senza-ricevute", stdout=out)

    segnature = sorted(reloaded(d).protocollo for d in domande)
    anno = timezone.localdate().year
    assert segnature == [f"{anno}/0000001", f"{anno}/0000002"]
    assert all(s in out.getvalue() for s in segnature)
    assert "Protocollati 2 documenti" in out.getvalue()


def test_beat_runs_the_sweep_every_minute_and_the_daily_register_after_midnight(settings):
    from aminder.celery import app

    app.loader.import_default_modules()
    pianificati = {voce["task"]: voce["schedule"] for voce in settings.CELERY_BEAT_SCHEDULE.values()}
    assert pianificati["protocollo.tasks.sweep_outbox"] == 60.0
    assert "protocollo.tasks.daily_register" in pianificati
    assert set(pianificati) <= set(app.tasks)


def test_daily_register_is_stored_as_pdf_and_csv(time_machine):
    domanda = DomandaFactory(presentata=True)
    time_machine.move_to(dt.datetime(2026, 3, 9, 16, 0, tzinfo=ROMA), tick=False)
    protocollo_register_documento(domanda)
    time_machine.move_to(dt.datetime(2026, 3, 10, 0, 15, tzinfo=ROMA), tick=False)

    nomi = daily_register()

    assert nomi == [
        "registro/2026/registro-protocollo-2026-03-09.pdf",
        "registro/2026/registro-protocollo-2026-03-09.csv",
    ]
    assert default_storage.open(nomi[0]).read().startswith(b"%PDF")
    assert "2026/0000001" in default_storage.open(nomi[1]).read().decode("utf-8-sig")


# --- append-only -------------------------------------------------------------------------------


def test_database_refuses_to_change_a_registration():
    registrazione = protocollo_register_documento(DomandaFactory(presentata=True))
    oggetto = registrazione.oggetto

    with pytest.raises(DatabaseError, match="non si modifica"), transaction.atomic():
        RegistrazioneProtocollo.objects.filter(pk=registrazione.pk).update(oggetto="altro")
    with pytest.raises(DatabaseError, match="non si modifica"), transaction.atomic():
        registrazione.numero = 99
        registrazione.save()
    # the ORM already refuses a delete (PROTECT from the document): the database refuses it by hand too
    with (
        pytest.raises(DatabaseError, match="non si modifica"),
        transaction.atomic(),
        connection.cursor() as cur,
    ):
        cur.execute("DELETE FROM claims_registrazioneprotocollo WHERE id = %s", [registrazione.pk])

    registrazione.refresh_from_db()
    assert (registrazione.numero, registrazione.oggetto) == (1, oggetto)


def test_database_refuses_to_renumber_or_delete_a_registered_document():
    domanda = DomandaFactory(presentata=True)
    protocollo_register_documento(domanda)
    altra = protocollo_register_documento(DomandaFactory(presentata=True))

    with pytest.raises(DatabaseError, match="protocollato"), transaction.atomic():
        Domanda.objects.filter(pk=domanda.pk).update(registrazione=altra)
    with pytest.raises(DatabaseError, match="protocollato"), transaction.atomic():
        Domanda.objects.filter(pk=domanda.pk).update(registrazione=None)
    # the ORM refuses first (PROTECT from the history): the database refuses a hand-written DELETE too
    with (
        pytest.raises(DatabaseError, match="protocollato"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("DELETE FROM claims_domanda WHERE id = %s", [domanda.pk])

    # every other field of a registered domanda still changes as the workflow requires
    Domanda.objects.filter(pk=domanda.pk).update(stato=StatoDomanda.IN_ISTRUTTORIA)
    assert reloaded(domanda).registrazione.numero == 1


def test_database_refuses_to_renumber_a_registered_consuntivo():
    consuntivo = consuntivo_of(DomandaFactory(presentata=True))
    protocollo_register_documento(consuntivo)

    with pytest.raises(DatabaseError, match="protocollato"), transaction.atomic():
        Consuntivo.objects.filter(pk=consuntivo.pk).update(registrazione=None)


def test_admin_shows_the_register_read_only(admin_client):
    registrazione = protocollo_register_documento(DomandaFactory(presentata=True))

    elenco = admin_client.get("/admin/protocollo/registrazioneprotocollo/")
    assert elenco.status_code == 200
    assert registrazione.segnatura in elenco.content.decode()
    assert admin_client.get("/admin/protocollo/registrazioneprotocollo/add/").status_code == 403
    assert (
        admin_client.post(
            f"/admin/protocollo/registrazioneprotocollo/{registrazione.pk}/delete/", {"post": "yes"}
        )
    ).status_code == 403
    dettaglio = admin_client.get(f"/admin/protocollo/registrazioneprotocollo/{registrazione.pk}/change/")
    assert dettaglio.status_code == 200
    assert 'name="oggetto"' not in dettaglio.content.decode()  # shown, not editable


def test_sweep_sends_again_a_receipt_whose_email_was_refused(settings, time_machine):
    from django.core import mail

    cache.clear()
    domanda = DomandaFactory(presentata=True)
    settings.EMAIL_BACKEND = "tests.protocollo.test_protocollo.RefusingBackend"
    registra_documento("DOMANDA", domanda.pk)  # the receipt task fails on the mail server and gives up
    ricevuta = Ricevuta.objects.get(registrazione=reloaded(domanda).registrazione)
    assert ricevuta.inviata_il is None

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    time_machine.move_to(timezone.now() + dt.timedelta(minutes=2))
    fatto = sweep_outbox()

    assert fatto["ricevute"] == 1
    ricevuta.refresh_from_db()
    assert ricevuta.inviata_il is not None
    assert mail.outbox[-1].to == [domanda.referente_email]


class RefusingBackend:
    """An SMTP server that refuses every message, as during an outage."""

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("server di posta non raggiungibile")
