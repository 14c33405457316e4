"""Estimated amounts against hand-computed figures, with the 2016 caps of the FIS seed (net of the
5.84%: 914.96 euro for monthly pay up to 2,102.24 euro, 1,099.70 euro above).

Worked example, 40 weekly hours: contractual hours of the month = 40 × 52 / 12 = 173.333…
  pay 2,000.00, 80 hours: 80% × 2,000 × 80 / 173.333 = 738.4615 gross; × (1 − 5.84%) = 695.3354 → 695.34
"""

import datetime as dt
from decimal import Decimal

import pytest

from claims.constants import StatoDomanda
from consuntivi.models import Massimale, RigaConsuntivo
from consuntivi.services import consuntivo_send
from consuntivi.stime import (
    SENZA_MASSIMALE,
    SENZA_RETRIBUZIONE,
    con_stima,
    cruscotto,
    domande_autorizzate_con_stima,
    stima_consuntivo,
    stima_domanda,
    stima_riga,
)
from tests.claims.factories import DomandaFactory, LavoratoreFactory, avanza, misura_dell_anno

from .factories import MassimaleFactory, RisorseRegionaliFactory

pytestmark = pytest.mark.django_db

M2016 = Massimale(
    anno=2016,
    soglia_retribuzione=Decimal("2102.24"),
    importo_sotto=Decimal("914.96"),
    importo_sopra=Decimal("1099.70"),
    riduzione_percentuale=Decimal("5.84"),
)


@pytest.mark.parametrize(
    ("retribuzione", "ore", "settimanali", "attesa"),
    [
        # below the cap: 738.4615 gross → 695.3354 net
        ("2000.00", "80", "40", "695.34"),
        # 1,390.67 net is capped at 914.96 (pay up to 2,102.24)
        ("2000.00", "160", "40", "914.96"),
        # pay exactly at the threshold still takes the lower cap: 1,583.27 → 914.96
        ("2102.24", "173.3", "40", "914.96"),
        # one cent above the threshold takes the higher cap: 1,583.28 → 1,099.70
        ("2102.25", "173.3", "40", "1099.70"),
        # above the threshold and below the higher cap (but above the lower one): 1,086.4615 → 1,086.46
        ("2500.00", "100", "40", "1086.46"),
        # 553.8462 gross → 521.5015 net
        ("3000.00", "40", "40", "521.50"),
        # part time, 20 h/week: 86.667 contractual hours; 369.2308 gross → 347.6677 net
        ("1000.00", "40", "20", "347.67"),
        ("2000.00", "0", "40", "0.00"),
    ],
)
def test_estimate_per_worker_matches_hand_computed_figures(retribuzione, ore, settimanali, attesa):
    assert stima_riga(
        retribuzione_mensile=Decimal(retribuzione),
        ore=Decimal(ore),
        ore_settimanali=Decimal(settimanali),
        massimale=M2016,
    ) == Decimal(attesa)


def test_the_2016_caps_are_the_net_amounts_of_the_fis_seed():
    seeded = Massimale.objects.filter(anno=2016).first() or MassimaleFactory()
    assert (seeded.soglia_retribuzione, seeded.importo_sotto, seeded.importo_sopra) == (
        Decimal("2102.24"),
        Decimal("914.96"),
        Decimal("1099.70"),
    )
    assert seeded.riduzione_percentuale == Decimal("5.84")


def _domanda_2016(**traits):
    """Workers L1, L2 and L3 with 40 h/week and 300 requested hours each."""
    stato = next((StatoDomanda[t.upper()] for t, v in traits.items() if v), StatoDomanda.BOZZA)
    domanda = DomandaFactory(
        misura=misura_dell_anno(2016),
        data_inizio=dt.date(2016, 3, 1),
        data_fine=dt.date(2016, 4, 30),
        lavoratori=[],
    )
    lavoratori = [
        LavoratoreFactory(
            domanda=domanda, cognome=f"L{i}", ore_settimanali=Decimal(40), ore_richieste=Decimal(300)
        )
        for i in (1, 2, 3)
    ]
    if stato != StatoDomanda.BOZZA:
        avanza(domanda, stato)
    return domanda, lavoratori


def _line(lav, ore, retribuzione=None):
    return {"codice_fiscale": lav.codice_fiscale, "ore": ore, "retribuzione_mensile": retribuzione}


def _send_2016_consuntivi(domanda, l1, l2, l3):
    marzo = consuntivo_send(
        actor=domanda.creata_da,
        domanda=domanda,
        mese=dt.date(2016, 3, 1),
        righe=[_line(l1, "80", "2000"), _line(l2, "100", "2500"), _line(l3, "50")],
    )
    aprile = consuntivo_send(
        actor=domanda.creata_da,
        domanda=domanda,
        mese=dt.date(2016, 4, 1),
        righe=[_line(l1, "160", "2000"), _line(l2, "168", "2102,25"), _line(l3, "10", "3000")],
    )
    return marzo, aprile


def test_estimate_per_domanda_is_the_sum_and_workers_without_pay_have_none():
    MassimaleFactory()
    domanda, (l1, l2, l3) = _domanda_2016(presentata=True)
    marzo, _aprile = _send_2016_consuntivi(domanda, l1, l2, l3)

    stima_marzo = stima_consuntivo(marzo)
    per_worker = {s.riga.lavoratore.cognome: s for s in stima_marzo.righe}
    assert per_worker["L1"].importo == Decimal("695.34")
    assert per_worker["L2"].importo == Decimal("1086.46")
    assert per_worker["L3"].importo is None
    assert per_worker["L3"].motivo == "stima non disponibile: retribuzione non indicata"
    assert str(SENZA_RETRIBUZIONE) == per_worker["L3"].motivo
    assert stima_marzo.totale == Decimal("1781.80")

    # April: 914.96 (capped) + 1,099.70 (higher cap) + 130.38 (3,000 × 80% × 10 / 173.33 × 0.9416)
    stima = stima_domanda(domanda)
    assert stima.totale == Decimal("3926.84")
    assert stima.senza_stima == 1


def test_database_estimate_matches_the_python_one():
    MassimaleFactory()
    domanda, (l1, l2, l3) = _domanda_2016(presentata=True)
    _send_2016_consuntivi(domanda, l1, l2, l3)
    by_db = {
        (r.lavoratore.cognome, r.consuntivo.mese.month): r.stima
        for r in con_stima(RigaConsuntivo.objects.select_related("lavoratore", "consuntivo"))
    }
    assert by_db == {
        ("L1", 3): Decimal("695.34"),
        ("L2", 3): Decimal("1086.46"),
        ("L3", 3): None,
        ("L1", 4): Decimal("914.96"),
        ("L2", 4): Decimal("1099.70"),
        ("L3", 4): Decimal("130.38"),
    }


def test_no_estimate_without_the_massimali_of_the_year():
    domanda, (l1, _l2, _l3) = _domanda_2016(presentata=True)
    Massimale.objects.filter(anno=2016).delete()
    consuntivo = consuntivo_send(
        actor=domanda.creata_da, domanda=domanda, mese=dt.date(2016, 3, 1), righe=[_line(l1, "80", "2000")]
    )
    [riga] = stima_consuntivo(consuntivo).righe
    assert riga.importo is None
    assert riga.motivo == str(SENZA_MASSIMALE).format(anno=2016)


def test_dashboard_compares_the_estimate_of_authorised_domande_with_the_resources():
    MassimaleFactory()
    RisorseRegionaliFactory(anno=2016, importo=Decimal("6000.00"), descrizione="Prima assegnazione")
    RisorseRegionaliFactory(anno=2016, importo=Decimal("4000.00"), descrizione="Residui")
    domanda, (l1, l2, l3) = _domanda_2016(autorizzata=True)
    _send_2016_consuntivi(domanda, l1, l2, l3)
    # a domanda not authorised does not count
    altra, lavoratori = _domanda_2016(presentata=True)
    consuntivo_send(
        actor=altra.creata_da,
        domanda=altra,
        mese=dt.date(2016, 3, 1),
        righe=[_line(lavoratori[0], "80", "2000")],
    )

    [anno] = [a for a in cruscotto() if a.anno == 2016]
    assert anno.risorse == Decimal("10000.00")
    assert anno.stima == Decimal("3926.84")
    assert anno.residuo == Decimal("6073.16")
    assert anno.percentuale == Decimal("39.3")
    assert anno.domande == 1
    assert anno.ore_autorizzate == Decimal("900")
    assert anno.ore_stimate == Decimal("518")  # 80 + 100 + 160 + 168 + 10: the 50 hours without pay are not
    assert anno.righe_senza_stima == 1
    # 3,926.84 + (900 − 518) × 3,926.84 / 518 = 6,822.69498…
    assert anno.proiezione == Decimal("6822.69")

    [top] = domande_autorizzate_con_stima()
    assert top.pk == domanda.pk
    assert top.stima == Decimal("3926.84")
