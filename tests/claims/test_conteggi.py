"""Counting weeks, hours and days (claims.conteggi): properties over any period, and INPS' examples."""

import datetime as dt
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from claims import conteggi

inizi = st.dates(min_value=dt.date(2020, 1, 1), max_value=dt.date(2030, 12, 31))
durate = st.integers(min_value=1, max_value=400)
ore_settimanali = st.decimals(min_value=Decimal("0.1"), max_value=Decimal("48"), places=1)


def periodo(inizio: dt.date, giorni: int) -> tuple[dt.date, dt.date]:
    return inizio, inizio + dt.timedelta(days=giorni - 1)


periodi = st.builds(periodo, inizi, st.integers(min_value=1, max_value=120))


def test_inps_counts_57_to_63_days_as_the_nine_weeks():
    inizio = dt.date(2020, 2, 23)
    assert [conteggi.settimane(*periodo(inizio, g)) for g in (56, 57, 63, 64)] == [8, 9, 9, 10]


def test_a_monday_to_friday_period_is_one_week_and_a_40_hour_worker_may_claim_40_hours():
    settimane = conteggi.settimane(dt.date(2020, 3, 23), dt.date(2020, 3, 27))
    assert settimane == 1
    assert conteggi.ore_massime(Decimal("40"), settimane) == Decimal("40")


@given(inizi, durate)
def test_weeks_are_the_days_over_seven_rounded_up(inizio, giorni):
    settimane = conteggi.settimane(*periodo(inizio, giorni))
    assert 7 * (settimane - 1) < giorni <= 7 * settimane


@given(inizi, durate)
def test_one_more_day_adds_a_week_only_after_a_full_week(inizio, giorni):
    prima = conteggi.settimane(*periodo(inizio, giorni))
    dopo = conteggi.settimane(*periodo(inizio, giorni + 1))
    assert dopo == prima + (1 if giorni % 7 == 0 else 0)


@given(inizi, durate, ore_settimanali)
def test_the_hours_cap_is_weekly_hours_times_weeks_and_grows_with_the_period(inizio, giorni, ore):
    cap = conteggi.ore_massime(ore, conteggi.settimane(*periodo(inizio, giorni)))
    assert cap >= ore * Decimal(giorni) / 7  # never below the exact share of the days
    assert cap <= conteggi.ore_massime(ore, conteggi.settimane(*periodo(inizio, giorni + 7)))
    assert cap == ore * conteggi.settimane_di(giorni)


@given(st.lists(periodi, max_size=8))
def test_the_union_counts_each_day_once(lista):
    giorni = set()
    for inizio, fine in lista:
        giorni.update(inizio + dt.timedelta(days=i) for i in range((fine - inizio).days + 1))
    assert conteggi.giorni_unione(lista) == len(giorni)
    assert conteggi.settimane_unione(lista) == conteggi.settimane_di(len(giorni))


@given(st.lists(periodi, min_size=1, max_size=8), st.randoms(use_true_random=False))
def test_the_union_ignores_order_and_repetition(lista, random):
    mescolati = [*lista, *lista]
    random.shuffle(mescolati)
    assert conteggi.giorni_unione(mescolati) == conteggi.giorni_unione(lista)


@given(st.lists(periodi, min_size=1, max_size=8))
def test_the_union_is_between_the_longest_period_and_the_sum(lista):
    unione = conteggi.giorni_unione(lista)
    assert max(conteggi.giorni(*p) for p in lista) <= unione <= sum(conteggi.giorni(*p) for p in lista)


def test_two_domande_on_the_same_weeks_count_once():
    stesso = (dt.date(2020, 3, 2), dt.date(2020, 3, 15))
    assert conteggi.settimane_unione([stesso, stesso]) == 2
