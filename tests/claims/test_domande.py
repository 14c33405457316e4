import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from claims.constants import AUTORIZZATE, TRANSITIONS, EsitoRichiesta, Lato, StatoDomanda, TipoRichiesta
from claims.models import Domanda, EventoDomanda
from claims.services.domande import (
    domanda_attach_accordo,
    domanda_create,
    domanda_submit,
    domanda_transition,
    domanda_update,
    richiesta_answer,
    richiesta_create,
)
from core.exceptions import NotAllowed, NotPermitted
from tests.anagrafica.factories import AbilitazioneFactory, SedeFactory, UserFactory, make_codice_fiscale
from tests.claims.factories import MINIMAL_PDF, DomandaFactory, LavoratoreFactory, MisuraFactory
from tests.core.pdfs import EMBEDDED_FILE_PDF

pytestmark = pytest.mark.django_db


def lavoratore(n: int, **overrides) -> dict:
    riga = {
        "codice_fiscale": make_codice_fiscale(30000 + n),
        "cognome": f"Gialli{n}",
        "nome": "Sara",
        "qualifica": "IMPIEGATO",
        "tipo_contratto": "INDETERMINATO",
        "ore_settimanali": Decimal("40"),
        "ore_richieste": Decimal("60"),
        "data_assunzione": dt.date(2018, 1, 15),
    }
    return riga | overrides


def lr_of(domanda: Domanda):
    return domanda.creata_da


def errors_of(exc: pytest.ExceptionInfo) -> str:
    return " ".join(m for ms in exc.value.message_dict.values() for m in ms)


# --- drafts ------------------------------------------------------------------------------------


def test_draft_is_created_with_its_workers_and_history(legale_rappresentante, sede):
    oggi = dt.date.today()
    domanda = domanda_create(
        actor=legale_rappresentante,
        sede=sede,
        misura=MisuraFactory(),
        data_inizio=oggi - dt.timedelta(days=13),
        data_fine=oggi,
        lavoratori=[lavoratore(1), lavoratore(2)],
    )
    assert domanda.stato == StatoDomanda.BOZZA
    assert domanda.azienda == sede.azienda
    assert domanda.lavoratori.count() == 2
    assert list(domanda.eventi.values_list("da", "a")) == [("", StatoDomanda.BOZZA)]


def test_draft_with_an_invalid_worker_reports_the_row_and_saves_nothing(legale_rappresentante, sede):
    oggi = dt.date.today()
    with pytest.raises(ValidationError) as exc:
        domanda_create(
            actor=legale_rappresentante,
            sede=sede,
            misura=MisuraFactory(),
            data_inizio=oggi,
            data_fine=oggi,
            lavoratori=[lavoratore(1), lavoratore(2, codice_fiscale="RSSMRA80A01L219X")],
        )
    assert "lavoratori.2" in exc.value.message_dict
    assert "RSSMRA80A01L219X" in errors_of(exc)
    assert not Domanda.objects.exists()


def test_draft_refused_for_a_site_of_another_company(sede):
    estraneo = UserFactory()
    with pytest.raises(NotPermitted):
        domanda_create(
            actor=estraneo,
            sede=sede,
            misura=MisuraFactory(),
            data_inizio=dt.date.today(),
            data_fine=dt.date.today(),
        )


def test_intermediary_enabled_for_the_company_may_create_a_draft(sede):
    consulente = UserFactory()
    AbilitazioneFactory(azienda=sede.azienda, codice_fiscale=consulente.codice_fiscale)
    domanda = domanda_create(
        actor=consulente,
        sede=sede,
        misura=MisuraFactory(),
        data_inizio=dt.date.today(),
        data_fine=dt.date.today(),
    )
    assert domanda.creata_da == consulente


def test_update_replaces_the_workers_of_a_draft():
    domanda = DomandaFactory()
    domanda_update(
        actor=lr_of(domanda), domanda=domanda, lavoratori=[lavoratore(7)], referente_nome="Ugo Blu"
    )
    domanda.refresh_from_db()
    assert domanda.referente_nome == "Ugo Blu"
    assert list(domanda.lavoratori.values_list("cognome", flat=True)) == ["Gialli7"]


def test_update_refused_once_submitted():
    domanda = DomandaFactory(presentata=True)
    with pytest.raises(NotAllowed, match="solo le domande in BOZZA"):
        domanda_update(actor=lr_of(domanda), domanda=domanda, referente_nome="Altro")


def test_period_end_before_start_is_refused():
    domanda = DomandaFactory()
    with pytest.raises(ValidationError) as exc:
        domanda_update(
            actor=lr_of(domanda), domanda=domanda, data_fine=domanda.data_inizio - dt.timedelta(days=1)
        )
    assert "data_fine" in exc.value.message_dict


def test_accordo_must_be_a_real_pdf():
    domanda = DomandaFactory(accordo_file="", accordo_sha256="")
    fake = SimpleUploadedFile("accordo.pdf", b"<html>not a pdf</html>", content_type="application/pdf")
    with pytest.raises(ValidationError, match="non è un PDF valido"):
        domanda_attach_accordo(actor=lr_of(domanda), domanda=domanda, file=fake)

    vero = SimpleUploadedFile("accordo.pdf", MINIMAL_PDF, content_type="application/pdf")
    domanda_attach_accordo(actor=lr_of(domanda), domanda=domanda, file=vero)
    domanda.refresh_from_db()
    assert domanda.accordo_file.read() == MINIMAL_PDF
    assert len(domanda.accordo_sha256) == 64


def test_accordo_with_an_embedded_file_is_refused_and_not_stored():
    domanda = DomandaFactory(accordo_file="", accordo_sha256="")
    allegato = SimpleUploadedFile("accordo.pdf", EMBEDDED_FILE_PDF, content_type="application/pdf")
    with pytest.raises(ValidationError, match="contiene contenuti attivi") as exc:
        domanda_attach_accordo(actor=lr_of(domanda), domanda=domanda, file=allegato)
    assert "/EmbeddedFiles" in exc.value.message_dict["accordo_file"][0]
    domanda.refresh_from_db()
    assert not domanda.accordo_file and not domanda.accordo_sha256


# --- submission --------------------------------------------------------------------------------


def test_submit_moves_a_complete_draft_to_presentata_with_snapshot_and_history():
    domanda = DomandaFactory()
    domanda_submit(actor=lr_of(domanda), domanda=domanda)
    domanda.refresh_from_db()
    assert domanda.stato == StatoDomanda.PRESENTATA
    assert domanda.presentata_il is not None
    assert domanda.dati_presentati["azienda"]["ragione_sociale"] == domanda.azienda.ragione_sociale
    assert len(domanda.dati_presentati["lavoratori"]) == 2
    assert domanda.eventi.last().a == StatoDomanda.PRESENTATA
    assert domanda.eventi.last().actor == lr_of(domanda)


def test_submit_twice_makes_one_submission():
    domanda = DomandaFactory()
    domanda_submit(actor=lr_of(domanda), domanda=domanda)
    first = Domanda.objects.get(pk=domanda.pk).presentata_il
    domanda_submit(actor=lr_of(domanda), domanda=domanda)
    assert Domanda.objects.get(pk=domanda.pk).presentata_il == first
    assert EventoDomanda.objects.filter(domanda=domanda, a=StatoDomanda.PRESENTATA).count() == 1


def test_submit_reports_every_missing_field_at_once():
    domanda = DomandaFactory(
        referente_email="", accordo_file="", dichiara_veridicita=False, lavoratori=[], accordo_data=None
    )
    with pytest.raises(ValidationError) as exc:
        domanda_submit(actor=lr_of(domanda), domanda=domanda)
    fields = set(exc.value.message_dict)
    assert {"referente_email", "accordo_file", "accordo_data", "dichiara_veridicita", "lavoratori"} <= fields
    assert Domanda.objects.get(pk=domanda.pk).stato == StatoDomanda.BOZZA


def test_submit_refused_when_period_is_outside_the_misura():
    domanda = DomandaFactory()
    misura = domanda.misura
    domanda_update(
        actor=lr_of(domanda),
        domanda=domanda,
        data_inizio=misura.periodo_dal - dt.timedelta(days=7),
        data_fine=misura.periodo_dal + dt.timedelta(days=6),
    )
    with pytest.raises(ValidationError, match="come previsto dalla misura"):
        domanda_submit(actor=lr_of(domanda), domanda=domanda)


def test_submit_refused_when_site_would_exceed_the_weeks_of_the_misura():
    prima = DomandaFactory(presentata=True)
    prima.data_inizio = prima.misura.periodo_dal
    prima.data_fine = prima.data_inizio + dt.timedelta(weeks=8, days=-1)
    prima.save()
    inizio = prima.data_fine + dt.timedelta(days=1)
    seconda = DomandaFactory(  # two more weeks: 8 + 2 > 9
        sede=prima.sede, misura=prima.misura, data_inizio=inizio, data_fine=inizio + dt.timedelta(days=13)
    )
    with pytest.raises(ValidationError, match="oltre il massimo di 9 settimane per sede"):
        domanda_submit(actor=lr_of(seconda), domanda=seconda)


def test_weeks_of_cancelled_or_refused_domande_do_not_count():
    prima = DomandaFactory(annullata=True)
    prima.data_inizio = prima.misura.periodo_dal
    prima.data_fine = prima.data_inizio + dt.timedelta(weeks=8, days=-1)
    prima.save()
    seconda = DomandaFactory(sede=prima.sede, misura=prima.misura)
    domanda_submit(actor=lr_of(seconda), domanda=seconda)
    assert Domanda.objects.get(pk=seconda.pk).stato == StatoDomanda.PRESENTATA


def test_submit_refused_when_worker_is_in_another_live_domanda_of_the_site_for_overlapping_days():
    prima = DomandaFactory(presentata=True)
    cf = prima.lavoratori.first().codice_fiscale
    seconda = DomandaFactory(sede=prima.sede, misura=prima.misura, lavoratori=[])
    LavoratoreFactory(domanda=seconda, codice_fiscale=cf)
    with pytest.raises(ValidationError, match=f"{cf}: il lavoratore è già nella domanda n. {prima.pk}"):
        domanda_submit(actor=lr_of(seconda), domanda=seconda)


def test_submit_refused_when_hours_exceed_contractual_hours_of_the_period():
    domanda = DomandaFactory(lavoratori=[])  # two weeks
    LavoratoreFactory(domanda=domanda, ore_settimanali=Decimal("20"), ore_richieste=Decimal("40.5"))
    with pytest.raises(
        ValidationError,
        match=r"superano le ore contrattuali del periodo \(40,0: 20,0 ore settimanali per 2 settimane\)",
    ):
        domanda_submit(actor=lr_of(domanda), domanda=domanda)


def test_submit_refused_when_worker_hired_after_the_cutoff():
    domanda = DomandaFactory(lavoratori=[])
    LavoratoreFactory(
        domanda=domanda, data_assunzione=domanda.misura.data_assunzione_entro + dt.timedelta(days=1)
    )
    with pytest.raises(ValidationError, match="deve risultare assunto entro"):
        domanda_submit(actor=lr_of(domanda), domanda=domanda)


def test_submit_refused_when_a_codice_fiscale_is_repeated():
    domanda = DomandaFactory(lavoratori=[])
    # The database refuses duplicates of one domanda; the rule still reports them by name if a
    # list built elsewhere (an upload) were to contain one.
    riga = lavoratore(1)
    with pytest.raises(ValidationError):
        domanda_update(actor=lr_of(domanda), domanda=domanda, lavoratori=[riga, riga])
    assert domanda.lavoratori.count() == 0


# --- windows of the seed (Piemonte 2020), frozen time -------------------------------------------


@pytest.fixture
def misura_2020(db):
    misura = MisuraFactory(
        codice="cigd-2020",
        periodo_dal=dt.date(2020, 2, 23),
        periodo_al=dt.date(2020, 12, 31),
        data_assunzione_entro=dt.date(2020, 2, 23),
        finestra=None,
    )
    misura.finestre.create(
        nome="Prime nove settimane",
        presentazione_dal=dt.date(2020, 3, 27),
        presentazione_al=dt.date(2020, 8, 31),
        periodo_dal=dt.date(2020, 2, 23),
        periodo_al=dt.date(2020, 8, 31),
    )
    misura.finestre.create(
        nome="Solo agosto",
        presentazione_dal=dt.date(2020, 9, 1),
        presentazione_al=dt.date(2020, 10, 31),
        periodo_dal=dt.date(2020, 8, 1),
        periodo_al=dt.date(2020, 8, 31),
    )
    return misura


def domanda_2020(misura, inizio: dt.date, fine: dt.date) -> Domanda:
    domanda = DomandaFactory(misura=misura, data_inizio=inizio, data_fine=fine, lavoratori=[])
    LavoratoreFactory(domanda=domanda, data_assunzione=dt.date(2019, 5, 1))
    return domanda


def test_in_september_2020_only_august_periods_are_accepted(misura_2020, time_machine):
    time_machine.move_to(dt.datetime(2020, 9, 15, 10, 0, tzinfo=dt.UTC))
    luglio = domanda_2020(misura_2020, dt.date(2020, 7, 6), dt.date(2020, 7, 17))
    with pytest.raises(
        ValidationError, match=r"«Solo agosto».*accetta solo periodi dal 01/08/2020 al 31/08/2020"
    ):
        domanda_submit(actor=lr_of(luglio), domanda=luglio)

    agosto = domanda_2020(misura_2020, dt.date(2020, 8, 3), dt.date(2020, 8, 14))
    domanda_submit(actor=lr_of(agosto), domanda=agosto)
    assert Domanda.objects.get(pk=agosto.pk).stato == StatoDomanda.PRESENTATA


def test_august_periods_accepted_until_31_october_2020(misura_2020, time_machine):
    time_machine.move_to(dt.datetime(2020, 10, 31, 20, 0, tzinfo=dt.UTC))  # 21:00 in Rome
    agosto = domanda_2020(misura_2020, dt.date(2020, 8, 3), dt.date(2020, 8, 14))
    domanda_submit(actor=lr_of(agosto), domanda=agosto)
    assert Domanda.objects.get(pk=agosto.pk).stato == StatoDomanda.PRESENTATA


def test_no_new_domande_from_1_november_2020(misura_2020, time_machine):
    time_machine.move_to(dt.datetime(2020, 10, 31, 23, 30, tzinfo=dt.UTC))  # 00:30 on 1 Nov in Rome
    agosto = domanda_2020(misura_2020, dt.date(2020, 8, 3), dt.date(2020, 8, 14))
    with pytest.raises(ValidationError, match="non è aperta alcuna finestra di presentazione"):
        domanda_submit(actor=lr_of(agosto), domanda=agosto)


# --- transitions -------------------------------------------------------------------------------

STATI_FACTORY = {
    StatoDomanda.PRESENTATA: {"presentata": True},
    StatoDomanda.IN_ISTRUTTORIA: {"in_istruttoria": True},
    StatoDomanda.DA_RETTIFICARE: {"da_rettificare": True},
    StatoDomanda.AMMISSIBILE: {"ammissibile": True},
    StatoDomanda.AUTORIZZATA: {"autorizzata": True},
    StatoDomanda.TRASMESSA_INPS: {"trasmessa_inps": True},
    StatoDomanda.ACCOLTA_INPS: {"accolta_inps": True},
    StatoDomanda.ANOMALIA_INPS: {"anomalia_inps": True},
    StatoDomanda.NON_AMMISSIBILE: {"non_ammissibile": True},
    StatoDomanda.ANNULLATA: {"annullata": True},
}
# Moves into AUTORIZZATA and the INPS states are made only by a determinazione (autorizzazioni), never
# by an officer's decision: tests/autorizzazioni drives those.
REGION_MOVES = [
    (da, a, lato == Lato.REGIONE and a not in AUTORIZZATE)
    for da in STATI_FACTORY
    for a in StatoDomanda
    for lato in [TRANSITIONS[da].get(a)]
    if a != StatoDomanda.BOZZA
]


@pytest.mark.parametrize(("da", "a", "allowed"), REGION_MOVES)
def test_region_transition_table(funzionario, da, a, allowed):
    domanda = DomandaFactory(**STATI_FACTORY[da])
    eventi_prima = domanda.eventi.count()
    if allowed:
        domanda_transition(actor=funzionario, domanda=domanda, to=a, note="Verificato")
        assert Domanda.objects.get(pk=domanda.pk).stato == a
        evento = domanda.eventi.last()
        assert (evento.da, evento.a, evento.actor, evento.note) == (da, a, funzionario, "Verificato")
    else:
        with pytest.raises(NotAllowed, match=r"non è consentito|solo con una determinazione"):
            domanda_transition(actor=funzionario, domanda=domanda, to=a, note="x")
        assert Domanda.objects.get(pk=domanda.pk).stato == da
        assert domanda.eventi.count() == eventi_prima


def test_company_side_cannot_take_region_decisions():
    domanda = DomandaFactory(presentata=True)
    with pytest.raises(NotPermitted):
        domanda_transition(actor=lr_of(domanda), domanda=domanda, to=StatoDomanda.IN_ISTRUTTORIA)


def test_da_rettificare_needs_a_note_and_emails_it_to_the_referente(
    funzionario, django_capture_on_commit_callbacks
):
    domanda = DomandaFactory(in_istruttoria=True)
    with pytest.raises(ValidationError, match="obbligatoria una nota"):
        domanda_transition(actor=funzionario, domanda=domanda, to=StatoDomanda.DA_RETTIFICARE, note=" ")
    with django_capture_on_commit_callbacks(execute=True):
        domanda_transition(
            actor=funzionario, domanda=domanda, to=StatoDomanda.DA_RETTIFICARE, note="Manca un lavoratore"
        )
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [domanda.referente_email]
    assert "VERIFICATA - DA RETTIFICARE" in mail.outbox[0].subject
    assert "Manca un lavoratore" in mail.outbox[0].body


# --- requests to the Region --------------------------------------------------------------------


def test_richiesta_refused_where_rettifica_is_possible():
    domanda = DomandaFactory(presentata=True)
    with pytest.raises(NotAllowed, match="usa la funzione Rettifica"):
        richiesta_create(actor=lr_of(domanda), domanda=domanda, tipo=TipoRichiesta.MODIFICA, motivo="x")


def test_accepted_cancellation_request_cancels_the_domanda(funzionario, django_capture_on_commit_callbacks):
    domanda = DomandaFactory(autorizzata=True)
    richiesta = richiesta_create(
        actor=lr_of(domanda), domanda=domanda, tipo=TipoRichiesta.ANNULLAMENTO, motivo="Lavoro ripreso"
    )
    with django_capture_on_commit_callbacks(execute=True):
        richiesta_answer(
            actor=funzionario,
            richiesta=richiesta,
            esito=EsitoRichiesta.ACCOLTA,
            risposta="Annullata",
        )
    assert Domanda.objects.get(pk=domanda.pk).stato == StatoDomanda.ANNULLATA
    assert any("Esito: Accolta" in m.body for m in mail.outbox)


def test_richiesta_can_be_answered_only_once(funzionario):
    domanda = DomandaFactory(in_istruttoria=True)
    richiesta = richiesta_create(
        actor=lr_of(domanda), domanda=domanda, tipo=TipoRichiesta.MODIFICA, motivo="Ore"
    )
    richiesta_answer(actor=funzionario, richiesta=richiesta, esito=EsitoRichiesta.RESPINTA, risposta="No")
    with pytest.raises(NotAllowed, match="già stata data risposta"):
        richiesta_answer(actor=funzionario, richiesta=richiesta, esito=EsitoRichiesta.ACCOLTA, risposta="Sì")


def test_other_sites_are_independent_for_weeks():
    prima = DomandaFactory(presentata=True)
    altra_sede = SedeFactory(azienda=prima.azienda)
    seconda = DomandaFactory(sede=altra_sede, misura=prima.misura)
    domanda_submit(actor=lr_of(seconda), domanda=seconda)
    assert Domanda.objects.get(pk=seconda.pk).stato == StatoDomanda.PRESENTATA


@pytest.mark.parametrize("ore_settimanali", [Decimal("0"), Decimal("48.5")])
def test_weekly_hours_outside_0_48_are_a_field_error_not_a_crash(
    legale_rappresentante, sede, ore_settimanali
):
    with pytest.raises(ValidationError) as exc:
        domanda_create(
            actor=legale_rappresentante,
            sede=sede,
            misura=MisuraFactory(),
            data_inizio=dt.date.today(),
            data_fine=dt.date.today(),
            lavoratori=[lavoratore(1, ore_settimanali=ore_settimanali)],
        )
    assert "ore_settimanali" in errors_of(exc)
    assert not Domanda.objects.exists()


# --- small employers: self-declaration instead of the union agreement ----------------------------


@pytest.fixture
def misura_piemonte(db):
    return MisuraFactory(dipendenti_senza_accordo=5)


def test_small_employer_submits_with_the_self_declaration_instead_of_the_agreement(misura_piemonte):
    domanda = DomandaFactory(
        misura=misura_piemonte, accordo_file="", accordo_data=None, numero_dipendenti=4, dichiara_danno=True
    )
    domanda_submit(actor=lr_of(domanda), domanda=domanda)
    domanda.refresh_from_db()
    assert domanda.stato == StatoDomanda.PRESENTATA
    assert domanda.dati_presentati["dichiarazioni"]["danno_subito"] is True


def test_small_employer_without_the_self_declaration_is_told_what_is_missing(misura_piemonte):
    domanda = DomandaFactory(misura=misura_piemonte, accordo_file="", accordo_data=None, numero_dipendenti=5)
    with pytest.raises(ValidationError) as exc:
        domanda_submit(actor=lr_of(domanda), domanda=domanda)
    assert exc.value.message_dict["dichiara_danno"] == [
        "Con non più di 5 dipendenti, al posto dell'accordo sindacale serve l'autodichiarazione del danno."
    ]
    assert "accordo_file" not in exc.value.message_dict


def test_employer_above_the_threshold_must_attach_the_agreement(misura_piemonte):
    domanda = DomandaFactory(
        misura=misura_piemonte, accordo_file="", accordo_data=None, numero_dipendenti=6, dichiara_danno=True
    )
    with pytest.raises(ValidationError) as exc:
        domanda_submit(actor=lr_of(domanda), domanda=domanda)
    assert {"accordo_file", "accordo_data"} <= set(exc.value.message_dict)


def test_number_of_employees_is_required_when_the_measure_has_a_threshold(misura_piemonte):
    domanda = DomandaFactory(misura=misura_piemonte)
    with pytest.raises(ValidationError, match="Indica il numero di dipendenti"):
        domanda_submit(actor=lr_of(domanda), domanda=domanda)
