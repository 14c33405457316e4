"""Counting days, weeks, hours: one definition used by the forms, the API, the workers' upload, the
submission rules and the backoffice (DOMAIN.md, "Counting, one definition everywhere").

- Weeks of a period are its calendar days / 7 rounded up: INPS counted 57 to 63 days as the full nine
  weeks (INPS message 2825/2020), so a Monday-Friday period is one week, not 0.7.
- A worker's hours are at most the weekly hours times the weeks of the period.
- A site's weeks under a measure are the union of the days of its live domande, / 7 rounded up, so
  two domande for different workers on the same days count once.
"""

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal

from django.utils.translation import ngettext

Periodo = tuple[dt.date, dt.date]


def giorni(inizio: dt.date, fine: dt.date) -> int:
    """Calendar days from `inizio` to `fine`, both included."""
    return (fine - inizio).days + 1


def settimane_di(numero_giorni: int) -> int:
    """Weeks counted as INPS counts them: days / 7 rounded up."""
    return -(-numero_giorni // 7)


def settimane(inizio: dt.date, fine: dt.date) -> int:
    """Weeks of a period, both days included: 1 to 7 days are one week, 57 to 63 days nine."""
    return settimane_di(giorni(inizio, fine))


def ore_massime(ore_settimanali: Decimal, numero_settimane: int) -> Decimal:
    """The most hours a worker may be suspended for: weekly hours times the weeks of the period."""
    return ore_settimanali * numero_settimane


def giorni_massimi(giorni_settimana: int, numero_settimane: int) -> int:
    """Agriculture counts days: a worker on a five- or six-day week, times the weeks of the period."""
    return giorni_settimana * numero_settimane


def giorni_unione(periodi: Iterable[Periodo]) -> int:
    """Calendar days covered by at least one of `periodi`: overlapping days count once."""
    totale = 0
    fine_coperta: dt.date | None = None
    for inizio, fine in sorted(periodi):
        if fine_coperta is not None and inizio <= fine_coperta:
            if fine <= fine_coperta:
                continue
            inizio = fine_coperta + dt.timedelta(days=1)
        totale += giorni(inizio, fine)
        fine_coperta = fine
    return totale


def settimane_unione(periodi: Iterable[Periodo]) -> int:
    """A site's weeks under a measure: the union of the days of its periods, / 7 rounded up."""
    return settimane_di(giorni_unione(periodi))


def etichetta_settimane(numero: int) -> str:
    """ "1 settimana", "9 settimane": how the messages name the weeks."""
    return ngettext("%(n)d settimana", "%(n)d settimane", numero) % {"n": numero}
