"""The rules of `consuntivo_send`, each allowed and refused with its message."""

import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.db import connection

from claims.constants import StatoDomanda
from consuntivi.models import Consuntivo, RigaConsuntivo
from consuntivi.rules import (
    MSG_CF_RIPETUTO,
    MSG_LAVORATORE_ESTRANEO,
    MSG_MESE_FUORI_PERIODO,
    MSG_MESE_FUTURO,
    MSG_NESSUNA_RIGA,
    MSG_NUMERO,
    MSG_NUMERO_AMBIGUO,
    MSG_ORE_DECIMALI,
    MSG_ORE_MESE,
    MSG_ORE_NEGATIVE,
    MSG_ORE_RICHIESTE,
    MSG_RETRIBUZIONE,
    MSG_STATO,
    ConsuntivoNonValido,
    giorni_lavorativi,
    ore_lavorabili,
)
from consuntivi.selectors import consuntivo_dati_trasmessi
from consuntivi.services import consuntivo_send
from core.exceptions import NotPermitted
from tests.anagrafica.factories import AbilitazioneFactory, UserFactory
from tests.claims.factories import DomandaFactory

from .factories import APRILE, FINE, INIZIO, MAGGIO, MARZO, domanda_consuntivabile, righe

pytestmark = pytest.mark.django_db


def send(domanda, mese, lines, actor=None):
    return consuntivo_send(actor=actor or domanda.creata_da, domanda=domanda, mese=mese, righe=lines)


def messages_of(exc: ConsuntivoNonValido) -> list[str]:
    return [e.messaggio for e in exc.errori]


def test_send_saves_the_lines_and_the_snapshot_of_the_data_sent():
    domanda = domanda_consuntivabile()
    consuntivo = send(domanda, APRILE, righe(domanda, ore="12,5", retribuzione="2.000,00"))

    assert consuntivo.mese == APRILE
    assert consuntivo.inviato_il is not None
    assert consuntivo.inviato_da == domanda.creata_da
    assert consuntivo.righe.count() == 2
    assert {r.ore for r in consuntivo.righe.all()} == {Decimal("12.5")}
    assert {r.retribuzione_mensile for r in consuntivo.righe.all()} == {Decimal("2000.00")}
    dati = consuntivo_dati_trasmessi(consuntivo)
    assert dati["mese"] == "2026-04"
    assert dati["ore_totali"] == "25.0"
    assert [r["codice_fiscale"] for r in dati["righe"]] == [
        lav.codice_fiscale for lav in domanda.lavoratori.order_by("pk")
    ]


def test_send_accepts_any_day_of_the_month_and_stores_the_first():
    domanda = domanda_consuntivabile()
    consuntivo = send(domanda, dt.date(2026, 4, 17), righe(domanda))
    assert consuntivo.mese == APRILE


def test_send_registers_the_consuntivo_in_the_protocol_register_after_commit(
    django_capture_on_commit_callbacks,
):
    domanda = domanda_consuntivabile()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        consuntivo = send(domanda, APRILE, righe(domanda))
    assert callbacks, "the registration is scheduled after commit"
    consuntivo.refresh_from_db()
    assert consuntivo.registrazione is not None
    assert consuntivo.protocollo == consuntivo.registrazione.segnatura


def test_send_allowed_to_an_enabled_intermediary():
    domanda = domanda_consuntivabile()
    intermediario = UserFactory()
    AbilitazioneFactory(azienda=domanda.azienda, codice_fiscale=intermediario.codice_fiscale)
    assert send(domanda, APRILE, righe(domanda), actor=intermediario).pk


def test_send_refused_to_who_does_not_act_for_the_company():
    domanda = domanda_consuntivabile()
    with pytest.raises(NotPermitted):
        send(domanda, APRILE, righe(domanda), actor=UserFactory())
    assert not Consuntivo.objects.exists()


def test_send_refused_to_a_regional_officer(funzionario):
    domanda = domanda_consuntivabile()
    with pytest.raises(NotPermitted):
        send(domanda, APRILE, righe(domanda), actor=funzionario)


@pytest.mark.parametrize(
    "trait", ["presentata", "in_istruttoria", "da_rettificare", "ammissibile", "autorizzata"]
)
def test_send_allowed_when_domanda_is_presentata_or_later(trait):
    domanda = domanda_consuntivabile(**{trait: True})
    assert send(domanda, APRILE, righe(domanda)).pk


@pytest.mark.parametrize(
    "stato",
    [StatoDomanda.BOZZA, StatoDomanda.RETTIFICATA, StatoDomanda.ANNULLATA, StatoDomanda.NON_AMMISSIBILE],
)
def test_send_refused_when_domanda_is_not_alive(stato):
    domanda = domanda_consuntivabile()
    domanda.stato = stato
    domanda.save(update_fields=["stato"])
    with pytest.raises(ConsuntivoNonValido) as exc:
        send(domanda, APRILE, righe(domanda))
    assert MSG_STATO.format(stato=StatoDomanda(stato).label) in messages_of(exc.value)
    assert not Consuntivo.objects.exists()


@pytest.mark.parametrize("mese", [dt.date(2026, 2, 1), dt.date(2026, 6, 1)])
def test_send_refused_when_month_is_outside_the_period(mese):
    domanda = domanda_consuntivabile()
    with pytest.raises(ConsuntivoNonValido) as exc:
        send(domanda, mese, righe(domanda))
    expected = MSG_MESE_FUORI_PERIODO.format(
        mese=f"{'febbraio' if mese.month == 2 else 'giugno'} 2026", dal="16/03/2026", al="15/05/2026"
    )
    assert messages_of(exc.value) == [expected]
    assert exc.value.message_dict == {"mese": [expected]}


@pytest.mark.parametrize("mese", [MARZO, APRILE, MAGGIO])
def test_send_allowed_for_every_month_touching_the_period(mese):
    domanda = domanda_consuntivabile()
    assert send(domanda, mese, righe(domanda)).mese == mese


def test_send_refused_for_a_month_not_yet_begun(time_machine):
    time_machine.move_to(dt.datetime(2026, 4, 20, 12, 0))
    domanda = domanda_consuntivabile()
    with pytest.raises(ConsuntivoNonValido) as exc:
        send(domanda, MAGGIO, righe(domanda))
    assert messages_of(exc.value) == [MSG_MESE_FUTURO.format(mese="maggio 2026")]
    assert send(domanda, APRILE, righe(domanda)).pk  # the current month is allowed


def test_second_consuntivo_for_the_same_month_is_refused():
    domanda = domanda_consuntivabile()
    send(domanda, APRILE, righe(domanda))
    with pytest.raises(ConsuntivoNonValido) as exc:
        send(domanda, APRILE, righe(domanda, ore="1"))
    [message] = messages_of(exc.value)
    assert message.startswith("Il consuntivo di aprile 2026 per questa domanda è già stato inviato il ")
    assert "non si può modificare né annullare" in message
    assert Consuntivo.objects.count() == 1


def test_send_refused_for_a_worker_not_in_the_domanda():
    domanda = domanda_consuntivabile()
    estraneo = DomandaFactory(presentata=True).lavoratori.first()
    lines = [*righe(domanda), {"codice_fiscale": estraneo.codice_fiscale, "ore": "5"}]
    with pytest.raises(ConsuntivoNonValido) as exc:
        send(domanda, APRILE, lines)
    assert exc.value.message_dict == {
        "righe.3.codice_fiscale": [MSG_LAVORATORE_ESTRANEO.format(cf=estraneo.codice_fiscale)]
    }
    assert not RigaConsuntivo.objects.exists()


def test_send_refused_when_a_worker_appears_twice():
    domanda = domanda_consuntivabile()
    lines = righe(domanda)
    lines.append({**lines[0], "ore": "3"})
    with pytest.raises(ConsuntivoNonValido) as exc:
        send(domanda, APRILE, lines)
    assert messages_of(exc.value) == [MSG_CF_RIPETUTO.format(cf=lines[0]["codice_fiscale"], prima=1)]


def test_send_refused_without_lines():
    domanda = domanda_consuntivabile()
    with pytest.raises(ConsuntivoNonValido) as exc:
        send(domanda, APRILE, [])
    assert exc.value.message_dict == {"righe": [MSG_NESSUNA_RIGA]}


def test_zero_hours_are_allowed():
    domanda = domanda_consuntivabile()
    assert send(domanda, APRILE, righe(domanda, ore="0")).righe.count() == 2


@pytest.mark.parametrize(
    ("ore", "message"),
    [
        ("-1", MSG_ORE_NEGATIVE),
        ("1,25", MSG_ORE_DECIMALI),
        ("dieci", MSG_NUMERO.format(valore="dieci")),
        ("1.000", MSG_NUMERO_AMBIGUO.format(valore="1.000")),
    ],
)
def test_send_refused_for_invalid_hours(ore, message):
    domanda = domanda_consuntivabile(lavoratori=1)
    with pytest.raises(ConsuntivoNonValido) as exc:
        send(domanda, APRILE, righe(domanda, ore=ore))
    assert exc.value.message_dict == {"righe.1.ore": [message]}


@pytest.mark.parametrize("retribuzione", ["0", "-100", "1500,555", "10000000"])
def test_send_refused_for_invalid_monthly_pay(retribuzione):
    domanda = domanda_consuntivabile(lavoratori=1)
    with pytest.raises(ConsuntivoNonValido) as exc:
        send(domanda, APRILE, righe(domanda, retribuzione=retribuzione))
    assert exc.value.message_dict == {"righe.1.retribuzione_mensile": [MSG_RETRIBUZIONE]}


def test_workable_hours_are_weekdays_of_the_month_inside_the_period_times_weekly_hours_over_five():
    assert giorni_lavorativi(INIZIO, dt.date(2026, 3, 31)) == 12
    assert giorni_lavorativi(dt.date(2026, 4, 1), dt.date(2026, 4, 30)) == 22
    assert giorni_lavorativi(dt.date(2026, 5, 1), FINE) == 11
    assert ore_lavorabili(Decimal("40"), 12) == Decimal("96.0")
    assert ore_lavorabili(Decimal("38.5"), 22) == Decimal("169.4")


def test_hours_up_to_the_workable_hours_of_the_month_are_allowed():
    domanda = domanda_consuntivabile(lavoratori=1)
    assert send(domanda, MARZO, righe(domanda, ore="96")).pk


def test_hours_above_the_workable_hours_of_the_month_are_refused():
    domanda = domanda_consuntivabile(lavoratori=1)
    cf = domanda.lavoratori.get().codice_fiscale
    with pytest.raises(ConsuntivoNonValido) as exc:
        send(domanda, MARZO, righe(domanda, ore="96,1"))
    assert exc.value.message_dict == {
        "righe.1.ore": [
            MSG_ORE_MESE.format(
                cf=cf,
                ore="96,1",
                massimo="96,0",
                giorni=12,
                dal="16/03/2026",
                al="31/03/2026",
                settimanali="40,0",
            )
        ]
    }


def test_total_hours_of_a_worker_up_to_the_requested_hours_are_allowed():
    domanda = domanda_consuntivabile(lavoratori=1)
    send(domanda, MARZO, righe(domanda, ore="96"))
    send(domanda, APRILE, righe(domanda, ore="176"))
    assert send(domanda, MAGGIO, righe(domanda, ore="28")).pk  # 96 + 176 + 28 = 300 requested


def test_total_hours_of_a_worker_above_the_requested_hours_are_refused():
    domanda = domanda_consuntivabile(lavoratori=1)
    cf = domanda.lavoratori.get().codice_fiscale
    send(domanda, MARZO, righe(domanda, ore="96"))
    send(domanda, APRILE, righe(domanda, ore="176"))
    with pytest.raises(ConsuntivoNonValido) as exc:
        send(domanda, MAGGIO, righe(domanda, ore="28,5"))
    assert exc.value.message_dict == {
        "righe.1.ore": [MSG_ORE_RICHIESTE.format(cf=cf, ore="28,5", totale="300,5", richieste="300,0")]
    }
    assert Consuntivo.objects.count() == 2


def test_every_failure_is_reported_at_once_with_its_line_and_nothing_is_saved():
    domanda = domanda_consuntivabile(lavoratori=3)
    lines = righe(domanda)
    lines[0]["ore"] = "-2"
    lines[2]["codice_fiscale"] = ""
    lines[2]["retribuzione_mensile"] = "abc"
    with pytest.raises(ConsuntivoNonValido) as exc:
        send(domanda, dt.date(2026, 7, 1), lines)
    assert set(exc.value.message_dict) == {
        "mese",
        "righe.1.ore",
        "righe.3.codice_fiscale",
        "righe.3.retribuzione_mensile",
    }
    assert not Consuntivo.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_sends_of_the_same_month_save_one_and_refuse_the_other():
    domanda = domanda_consuntivabile()
    lines = righe(domanda)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def worker():
        try:
            barrier.wait()
            send(domanda, APRILE, lines)
            outcomes.append("inviato")
        except ConsuntivoNonValido as exc:
            outcomes.append(exc.errori[0].messaggio)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes)[1] == "inviato"
    assert sorted(outcomes)[0].startswith(
        "Il consuntivo di aprile 2026 per questa domanda è già stato inviato"
    )
    assert Consuntivo.objects.filter(domanda=domanda).count() == 1
