import datetime as dt
from decimal import Decimal

from autorizzazioni.services import determinazione_create
from consuntivi.models import Massimale
from tests.consuntivi.factories import RisorseRegionaliFactory

# 2020 caps, INPS circular 20/2020 (net of 5.84%). With 40 weekly hours the highest hourly benefit is
# 1,129.66 × 12 / (40 × 52) = 6.5173 euro: a worker's 40 authorised hours cost 260.69 euro.
COSTO_40_ORE = Decimal("260.69")


def massimali_e_risorse(anno: int, importo: Decimal) -> None:
    Massimale.objects.update_or_create(
        anno=anno,
        defaults={
            "soglia_retribuzione": Decimal("2159.48"),
            "importo_sotto": Decimal("939.89"),
            "importo_sopra": Decimal("1129.66"),
            "riduzione_percentuale": Decimal("5.84"),
        },
    )
    RisorseRegionaliFactory(anno=anno, importo=importo)


def atto(funzionario, domande, numero=176, **kwargs):
    """An authorisation act over `domande`, adopted through the service as the backoffice does."""
    return determinazione_create(
        actor=funzionario,
        domande=domande,
        numero=numero,
        data=kwargs.pop("data", dt.date.today()),
        tranche=kwargs.pop("tranche", f"Tranche {numero}-{dt.date.today().year}"),
        firmatario=kwargs.pop("firmatario", "Dott.ssa Anna Ferri"),
        **kwargs,
    )
