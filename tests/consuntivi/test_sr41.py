"""SR41 data: only consuntivi of live domande (a rettifica never pays a worker-month twice), and the
month's hours week by week as CIG_40 wants them."""

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from claims.constants import StatoDomanda
from claims.services.domande import domanda_rettifica, domanda_transition
from consuntivi.rules import giorni_lavorativi
from consuntivi.selectors import SR41_COLONNE, ore_per_settimana, settimane_del_periodo
from consuntivi.services import consuntivo_send
from tests.claims.factories import MisuraFactory

from .factories import APRILE, domanda_consuntivabile, righe

pytestmark = pytest.mark.django_db


def sr41(client, mese="2026-04") -> list[dict[str, str]]:
    response = client.get(reverse("consuntivi:sr41"), {"mese": mese})
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))


def send(domanda, ore="16"):
    return consuntivo_send(
        actor=domanda.creata_da, domanda=domanda, mese=APRILE, righe=righe(domanda, ore=ore)
    )


def test_after_a_rettifica_the_sr41_lists_each_worker_month_once(client):
    misura = MisuraFactory(periodo_dal=dt.date(2026, 3, 1))
    vecchia = domanda_consuntivabile(misura=misura)
    send(vecchia)
    nuova = domanda_rettifica(actor=vecchia.creata_da, domanda=vecchia, referente_nome="Nuovo Referente")
    send(nuova, ore="12")
    client.force_login(vecchia.creata_da)

    rows = sr41(client)

    assert sorted(r["codice_fiscale"] for r in rows) == sorted(
        nuova.lavoratori.values_list("codice_fiscale", flat=True)
    )
    assert {r["ore_cigd"] for r in rows} == {"12,0"}


def test_a_cancelled_domanda_is_not_exported(client, funzionario):
    domanda = domanda_consuntivabile()
    send(domanda)
    domanda_transition(actor=funzionario, domanda=domanda, to=StatoDomanda.ANNULLATA, note="Su richiesta")
    client.force_login(domanda.creata_da)
    assert sr41(client) == []


def test_the_sr41_carries_the_inps_authorisation_code_once_known(client):
    """The employer quotes INPS's authorisation code in every SR41 (DOMAIN.md): empty until INPS
    accepts the act's Flusso B, then on every line of the domanda."""
    in_attesa, accolta = domanda_consuntivabile(autorizzata=True), domanda_consuntivabile(accolta_inps=True)
    send(in_attesa)
    send(accolta)

    codici = {}
    for domanda in (in_attesa, accolta):
        client.force_login(domanda.creata_da)
        codici[domanda.pk] = {r["codice_autorizzazione_inps"] for r in sr41(client)}

    assert codici[in_attesa.pk] == {""}
    assert codici[accolta.pk] == {accolta.codice_autorizzazione_inps} != {""}


def test_april_2026_hours_are_split_by_week_in_proportion_to_working_days(client):
    domanda = domanda_consuntivabile(lavoratori=1)
    send(domanda)
    client.force_login(domanda.creata_da)

    (row,) = sr41(client)

    assert [c for c in SR41_COLONNE if c.startswith("settimana_1")] == [
        "settimana_1_dal",
        "settimana_1_al",
        "settimana_1_ore",
    ]
    settimane = [
        (row[f"settimana_{n}_dal"], row[f"settimana_{n}_al"], row[f"settimana_{n}_ore"]) for n in range(1, 7)
    ]
    assert settimane == [
        ("01/04/2026", "05/04/2026", "2,2"),  # Wednesday to Sunday: 3 working days of 22
        ("06/04/2026", "12/04/2026", "3,7"),
        ("13/04/2026", "19/04/2026", "3,6"),
        ("20/04/2026", "26/04/2026", "3,6"),
        ("27/04/2026", "30/04/2026", "2,9"),
        ("", "", ""),
    ]


spans = st.builds(
    lambda inizio, giorni: (inizio, inizio + dt.timedelta(days=giorni - 1)),
    st.dates(min_value=dt.date(2020, 1, 1), max_value=dt.date(2030, 12, 31)),
    st.integers(min_value=1, max_value=31),
)


@given(spans, st.decimals(min_value=0, max_value=Decimal("300"), places=1))
def test_weekly_hours_add_up_to_the_month_and_stay_within_a_tenth_of_each_share(span, ore):
    settimane = settimane_del_periodo(*span)
    parti = ore_per_settimana(ore, settimane)
    assert sum(parti) == ore
    pesi = [giorni_lavorativi(*s) for s in settimane]
    if any(pesi):
        for parte, peso in zip(parti, pesi, strict=True):
            assert abs(parte - ore * peso / sum(pesi)) < Decimal("0.1")
    assert settimane[0][0] == span[0] and settimane[-1][1] == span[1]
    assert all(fine.weekday() == 6 for _, fine in settimane[:-1])
