"""Each counting rule of the 2020 measure at its boundary, through the submission service
(DOMAIN.md, "The measure of 2020 in Piemonte"; INPS message 2825/2020)."""

import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from claims.constants import StatoDomanda, TipoContratto
from claims.models import Domanda, Misura
from claims.selectors import lavoratori_in_altre_aziende
from claims.services.domande import domanda_rettifica, domanda_submit
from tests.anagrafica.factories import AziendaFactory, SedeFactory
from tests.claims.factories import DomandaFactory, LavoratoreFactory, MisuraFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def misura():
    """The caps of 2020: 9 weeks per site; the first domanda at most 5 weeks and at least 5 days."""
    return MisuraFactory(max_settimane_prima_domanda=5, min_giorni_prima_domanda=5)


def bozza(misura: Misura, giorni: int, *, inizio: dt.date | None = None, **kwargs) -> Domanda:
    inizio = inizio or misura.periodo_dal
    return DomandaFactory(
        misura=misura, data_inizio=inizio, data_fine=inizio + dt.timedelta(days=giorni - 1), **kwargs
    )


def presenta(domanda: Domanda) -> Domanda:
    domanda_submit(actor=domanda.creata_da, domanda=domanda)
    domanda.refresh_from_db()
    return domanda


def errori(domanda: Domanda) -> str:
    with pytest.raises(ValidationError) as exc:
        domanda_submit(actor=domanda.creata_da, domanda=domanda)
    return " ".join(m for ms in exc.value.message_dict.values() for m in ms)


# --- the first domanda of a site: at most 5 weeks, at least 5 days -----------------------------


def test_first_domanda_of_five_weeks_is_accepted(misura):
    assert presenta(bozza(misura, 35)).stato == StatoDomanda.PRESENTATA


def test_first_domanda_of_six_weeks_is_refused(misura):
    assert (
        "La prima domanda di una sede può coprire al massimo 5 settimane: questo periodo è di 36 giorni, "
        "cioè 6 settimane." in errori(bozza(misura, 36))
    )


def test_first_domanda_of_four_days_is_refused(misura):
    assert (
        "La prima domanda di una sede deve coprire almeno 5 giorni: questo periodo è di 4 giorni."
        in errori(bozza(misura, 4))
    )


def test_first_domanda_of_five_days_is_accepted(misura):
    assert presenta(bozza(misura, 5)).stato == StatoDomanda.PRESENTATA


def test_a_second_domanda_may_be_short(misura):
    prima = presenta(bozza(misura, 35))
    seconda = bozza(misura, 3, inizio=prima.data_fine + dt.timedelta(days=1), sede=prima.sede)
    assert presenta(seconda).stato == StatoDomanda.PRESENTATA


# --- at most 9 weeks per site, on the union of the days ---------------------------------------


def test_site_reaches_nine_weeks_and_is_refused_the_tenth(misura):
    prima = presenta(bozza(misura, 35))
    dopo = prima.data_fine + dt.timedelta(days=1)
    nove = bozza(misura, 28, inizio=dopo, sede=prima.sede)
    dieci = bozza(misura, 29, inizio=dopo, sede=prima.sede, lavoratori=[])
    LavoratoreFactory(domanda=dieci)

    assert (
        "La sede ha già 5 settimane in domande attive della misura: con questa domanda i giorni coperti "
        "diventano 64, cioè 10 settimane, oltre il massimo di 9 settimane per sede." in errori(dieci)
    )
    assert presenta(nove).stato == StatoDomanda.PRESENTATA


def test_two_domande_for_different_workers_on_the_same_weeks_count_once(misura):
    prima = presenta(bozza(misura, 35))
    stesse_settimane = bozza(misura, 35, sede=prima.sede)  # other workers: the factory makes new ones
    assert presenta(stesse_settimane).stato == StatoDomanda.PRESENTATA
    quattro_in_piu = bozza(misura, 28, inizio=prima.data_fine + dt.timedelta(days=1), sede=prima.sede)
    assert presenta(quattro_in_piu).stato == StatoDomanda.PRESENTATA


# --- hours: at most weekly hours x weeks of the period -----------------------------------------


@pytest.mark.parametrize(("ore", "accettate"), [("40", True), ("40.5", False)])
def test_a_40_hour_worker_may_claim_40_hours_of_a_monday_to_friday_week(misura, ore, accettate):
    lunedi = misura.periodo_dal + dt.timedelta(days=(7 - misura.periodo_dal.weekday()) % 7)
    domanda = bozza(misura, 5, inizio=lunedi, lavoratori=[])
    LavoratoreFactory(domanda=domanda, ore_settimanali=Decimal("40"), ore_richieste=Decimal(ore))
    if accettate:
        assert presenta(domanda).stato == StatoDomanda.PRESENTATA
    else:
        assert (
            "Le ore richieste (40,5) superano le ore contrattuali del periodo (40,0: 40,0 ore settimanali "
            "per 1 settimana)." in errori(domanda)
        )


def test_an_intermittent_worker_is_checked_on_the_average_of_the_last_three_months(misura):
    domanda = bozza(misura, 14, lavoratori=[])
    LavoratoreFactory(
        domanda=domanda,
        tipo_contratto=TipoContratto.INTERMITTENTE,
        ore_settimanali=Decimal("12.5"),
        ore_richieste=Decimal("26"),
    )
    assert (
        "Le ore richieste (26,0) superano le ore del periodo (25,0: media di 12,5 ore settimanali negli "
        "ultimi tre mesi lavorati, per 2 settimane)." in errori(domanda)
    )


# --- one worker, one suspension per day within a company ----------------------------------------


def test_worker_in_a_live_domanda_of_another_site_of_the_company_is_refused(misura):
    prima = presenta(bozza(misura, 14))
    cf = prima.lavoratori.first().codice_fiscale
    altra_sede = SedeFactory(azienda=prima.azienda, denominazione="Magazzino")
    seconda = bozza(
        misura, 14, inizio=prima.data_inizio + dt.timedelta(days=7), sede=altra_sede, lavoratori=[]
    )
    LavoratoreFactory(domanda=seconda, codice_fiscale=cf)
    assert f"{cf}: il lavoratore è già nella domanda n. {prima.pk} dell'azienda (sede «" in errori(seconda)


def test_worker_of_two_companies_is_allowed_and_shown_to_the_officer(misura):
    prima = presenta(bozza(misura, 14))
    cf = prima.lavoratori.first().codice_fiscale
    altra_azienda = SedeFactory(azienda=AziendaFactory())
    seconda = bozza(misura, 14, sede=altra_azienda, lavoratori=[])
    LavoratoreFactory(domanda=seconda, codice_fiscale=cf, ore_settimanali=Decimal("20"))

    assert presenta(seconda).stato == StatoDomanda.PRESENTATA
    assert [(lav.codice_fiscale, lav.domanda_id) for lav in lavoratori_in_altre_aziende(seconda)] == [
        (cf, prima.pk)
    ]


def test_worker_free_again_once_the_other_domanda_is_cancelled(misura):
    prima = DomandaFactory(annullata=True, misura=misura)
    cf = prima.lavoratori.first().codice_fiscale
    seconda = bozza(misura, 14, inizio=prima.data_inizio, sede=prima.sede, lavoratori=[])
    LavoratoreFactory(domanda=seconda, codice_fiscale=cf)
    assert presenta(seconda).stato == StatoDomanda.PRESENTATA


# --- sectors -------------------------------------------------------------------------------------


def test_domestic_work_is_excluded(misura):
    sede = SedeFactory(azienda=AziendaFactory(codice_ateco="97.00.00"))
    assert "L'azienda ha il codice ATECO 97.00.00, lavoro domestico" in errori(bozza(misura, 14, sede=sede))


# --- rettifica keeps the modalities of the domanda it corrects ----------------------------------


def test_rettifica_of_a_spring_domanda_succeeds_in_november(time_machine):
    """The 2020 measure as shipped by the data migration: no window is open in November 2020, yet a
    rettifica of an April domanda goes through; every other rule still applies."""
    misura = Misura.objects.get(codice="cigd-piemonte-2020")
    time_machine.move_to(dt.datetime(2020, 4, 20, 10, 0, tzinfo=dt.UTC))
    domanda = presenta(bozza(misura, 21, inizio=dt.date(2020, 3, 23), numero_dipendenti=12))
    Domanda.objects.filter(pk=domanda.pk).update(stato=StatoDomanda.DA_RETTIFICARE)

    time_machine.move_to(dt.datetime(2020, 11, 16, 10, 0, tzinfo=dt.UTC))
    nuova = bozza(misura, 14, inizio=dt.date(2020, 3, 30), numero_dipendenti=12)
    assert "non si possono presentare nuove domande" in errori(nuova)

    with pytest.raises(ValidationError, match="al massimo 5 settimane"):
        domanda_rettifica(actor=domanda.creata_da, domanda=domanda, data_fine=dt.date(2020, 4, 30))
    rettifica = domanda_rettifica(actor=domanda.creata_da, domanda=domanda, data_fine=dt.date(2020, 4, 5))

    assert rettifica.stato == StatoDomanda.PRESENTATA
    assert rettifica.presentata_il.date() == dt.date(2020, 11, 16)
    assert timezone.localdate() == dt.date(2020, 11, 16)
    domanda.refresh_from_db()
    assert domanda.stato == StatoDomanda.RETTIFICATA


# --- agriculture counts days: 5 or 6 a week, 45 or 54 in all ------------------------------------


def agricola(
    misura: Misura, giorni: int, *, giorni_richiesti, giorni_settimana=5, cf=None, **kwargs
) -> Domanda:
    domanda = bozza(misura, giorni, lavoratori=[], **kwargs)
    LavoratoreFactory(
        domanda=domanda,
        giorni_settimana=giorni_settimana,
        giorni_richiesti=giorni_richiesti,
        **({"codice_fiscale": cf} if cf else {}),
    )
    return domanda


@pytest.fixture
def sede_agricola():
    return SedeFactory(azienda=AziendaFactory(codice_ateco="01.11.10"))


def test_an_agricultural_worker_without_days_is_refused(misura, sede_agricola):
    domanda = bozza(misura, 14, sede=sede_agricola)
    cf = domanda.lavoratori.first().codice_fiscale
    assert f"{cf}: un'azienda agricola chiede giorni, non ore" in errori(domanda)


@pytest.mark.parametrize(
    ("giorni_settimana", "giorni", "accettati"), [(5, 10, True), (5, 11, False), (6, 12, True)]
)
def test_agricultural_days_are_at_most_5_or_6_a_week(
    misura, sede_agricola, giorni_settimana, giorni, accettati
):
    domanda = agricola(
        misura, 14, sede=sede_agricola, giorni_richiesti=giorni, giorni_settimana=giorni_settimana
    )
    if accettati:
        assert presenta(domanda).stato == StatoDomanda.PRESENTATA
    else:
        assert (
            "I giorni richiesti (11) superano i giorni del periodo (10: 5 giorni lavorativi a settimana per "
            "2 settimane)." in errori(domanda)
        )


@pytest.mark.parametrize(("seconda_volta", "accettati"), [(20, True), (21, False)])
def test_an_agricultural_worker_gets_at_most_45_days_on_a_five_day_week(
    misura, sede_agricola, seconda_volta, accettati
):
    prima = presenta(agricola(misura, 35, sede=sede_agricola, giorni_richiesti=25))
    cf = prima.lavoratori.get().codice_fiscale
    altra_sede = SedeFactory(azienda=sede_agricola.azienda, denominazione="Cascina")
    dopo = prima.data_fine + dt.timedelta(days=1)
    seconda = agricola(misura, 35, inizio=dopo, sede=altra_sede, giorni_richiesti=seconda_volta, cf=cf)
    if accettati:
        assert presenta(seconda).stato == StatoDomanda.PRESENTATA
    else:
        assert (
            f"{cf}: con queste domande i giorni richiesti per il lavoratore sono 46, oltre il massimo di 45 "
            "(5 giorni a settimana per 9 settimane)." in errori(seconda)
        )


def test_an_agricultural_company_types_and_uploads_days(client, misura, sede_agricola):
    domanda = bozza(misura, 14, sede=sede_agricola, lavoratori=[])
    client.force_login(domanda.creata_da)
    url = reverse("claims:domanda_passo", args=[domanda.pk, 2])
    assert 'name="lavoratori-0-giorni_richiesti"' in client.get(url).content.decode()

    modello = client.get(reverse("claims:lavoratori_modello", args=[domanda.pk, "csv"]))
    intestazione = modello.content.decode("utf-8-sig").splitlines()[0]
    assert intestazione.endswith(";giorni_settimana;giorni_richiesti")
    righe = [
        intestazione,
        "RSSMRA80A01L219M;Rossi;Mario;OPERAIO;DETERMINATO;39;78;01/02/2019;6;13",
    ]
    file = SimpleUploadedFile("lavoratori.csv", "\n".join(righe).encode())
    response = client.post(url, {"azione": "carica", "file-file": file})
    assert "superano i giorni del periodo (12: 6 giorni lavorativi a settimana per 2 settimane)" in (
        response.content.decode()
    )
    righe[1] = righe[1].replace(";6;13", ";6;12")
    file = SimpleUploadedFile("lavoratori.csv", "\n".join(righe).encode())
    assert client.post(url, {"azione": "carica", "file-file": file}).status_code == 302
    assert list(domanda.lavoratori.values_list("giorni_settimana", "giorni_richiesti")) == [(6, 12)]


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_submissions_cannot_both_take_the_last_weeks_of_a_site():
    """The company's row lock serialises the counting rules: without it both would see 5 weeks
    free and the site would end at 10."""
    misura = MisuraFactory()
    prima = bozza(misura, 35)
    seconda = bozza(misura, 35, inizio=prima.data_fine + dt.timedelta(days=1), sede=prima.sede)
    barrier = threading.Barrier(2)
    esiti: list[str] = []

    def submit(domanda):
        try:
            barrier.wait()
            domanda_submit(actor=domanda.creata_da, domanda=domanda)
            esiti.append("ok")
        except ValidationError as exc:
            esiti.append("rifiutata" if "oltre il massimo di 9 settimane" in str(exc) else str(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=submit, args=(d,)) for d in (prima, seconda)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)

    assert sorted(esiti) == ["ok", "rifiutata"]
