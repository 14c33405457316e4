"""Estimated amounts of the integration, for officers and for the budget (DOMAIN.md "Amounts").

The estimate of one consuntivo line (one worker, one month) is

    ore contrattuali del mese = ore settimanali × 52 / 12          (40 h/week → 173,33 h)
    integrazione lorda        = 80% × retribuzione mensile × ore / ore contrattuali del mese
    integrazione netta        = integrazione lorda × (1 − riduzione/100)      (riduzione 5,84%)
    stima                     = min(integrazione netta, massimale netto), rounded to the cent
                                (half up), with Decimal

where the massimale is the one of the month's year (`Massimale`, officer-edited) for the worker's
monthly pay: `importo_sotto` up to and including `soglia_retribuzione`, `importo_sopra` above.

Gross or net: the seed on FIS gives the 2016 caps as the amounts payable NET of the 5,84% ("misura
massima mensile lorda della prestazione, erogabile al netto della riduzione del 5,84%": 914,96 euro
for pay up to 2.102,24 euro, 1.099,70 euro above; INPS circular 48/2016). So the table stores the net
caps exactly as published and the reduction is applied to the integration before comparing it
with them. This is the same as capping the gross integration at the gross cap and then reducing,
because the gross cap is the net cap / (1 − 5,84%) (971,71 and 1.167,91 euro in 2016). The estimate
is therefore what INPS pays the worker, the cost the Region watches against its resources.

Simplifications, on purpose: the cap is monthly and applies to the month's total (INPS circulars
state monthly maxima), it is not re-proportioned to the hours; contributions credited to the worker
("contribuzione figurativa") and family allowances are not part of the estimate.

A line without a monthly pay, or whose year has no massimali, has no estimate: the UI says why.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import (
    Case,
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, ExtractYear, Least, Round
from django.utils.translation import gettext_lazy as _

from claims.constants import AUTORIZZATE
from claims.models import Domanda, Lavoratore

from .constants import QUOTA_INTEGRAZIONE
from .models import Consuntivo, Massimale, RigaConsuntivo, RisorseRegionali

CENTESIMO = Decimal("0.01")
SETTIMANE_ANNO = 52
MESI_ANNO = 12

SENZA_RETRIBUZIONE = _("stima non disponibile: retribuzione non indicata")
SENZA_MASSIMALE = _("stima non disponibile: massimali dell'anno {anno} non configurati")


def ore_contrattuali_mese(ore_settimanali: Decimal) -> Decimal:
    return ore_settimanali * SETTIMANE_ANNO / MESI_ANNO


def stima_riga(
    *, retribuzione_mensile: Decimal, ore: Decimal, ore_settimanali: Decimal, massimale: Massimale
) -> Decimal:
    """The estimate of one worker in one month, as defined in the module docstring."""
    lorda = QUOTA_INTEGRAZIONE * retribuzione_mensile * ore * MESI_ANNO / (ore_settimanali * SETTIMANE_ANNO)
    netta = lorda * (100 - massimale.riduzione_percentuale) / 100
    return min(netta, massimale.importo_per(retribuzione_mensile)).quantize(CENTESIMO, rounding=ROUND_HALF_UP)


def stima_ore_autorizzate(*, ore: Decimal, ore_settimanali: Decimal, massimale: Massimale) -> Decimal:
    """The cost of a worker's authorised hours at decision time, before any consuntivo: the hours ×
    the highest hourly benefit the year's massimali allow (the higher net cap ÷ the monthly
    contractual hours). The pay is not known yet, so the budget is never under-estimated."""
    orario = massimale.importo_sopra * MESI_ANNO / (ore_settimanali * SETTIMANE_ANNO)
    return (ore * orario).quantize(CENTESIMO, rounding=ROUND_HALF_UP)


def impegno_autorizzato(anni: set[int] | None = None) -> dict[int, Decimal]:
    """Per year (of the period's start): `stima_ore_autorizzate` summed over every worker of the
    authorised domande, computed by the database with the same formula; one query."""
    lavoratori = Lavoratore.objects.filter(domanda__stato__in=AUTORIZZATE, ore_autorizzate__isnull=False)
    lavoratori = lavoratori.annotate(anno=ExtractYear("domanda__data_inizio"))
    if anni is not None:
        lavoratori = lavoratori.filter(anno__in=anni)
    costo = ExpressionWrapper(
        F("ore_autorizzate")
        * _massimale("importo_sopra")
        * Value(MESI_ANNO)
        / (F("ore_settimanali") * Value(SETTIMANE_ANNO)),
        output_field=_MONEY,
    )
    righe = lavoratori.annotate(costo=Round(costo, 2, output_field=_MONEY)).values("anno")
    return {r["anno"]: r["totale"] or Decimal("0.00") for r in righe.annotate(totale=Sum("costo"))}


@dataclass
class StimaRiga:
    riga: RigaConsuntivo
    importo: Decimal | None
    motivo: str = ""


@dataclass
class Stima:
    """Estimates of a set of lines: their sum and the lines left without an estimate."""

    righe: list[StimaRiga] = field(default_factory=list)

    @property
    def totale(self) -> Decimal:
        return sum((r.importo for r in self.righe if r.importo is not None), start=Decimal("0.00"))

    @property
    def senza_stima(self) -> int:
        return sum(1 for r in self.righe if r.importo is None)


def _massimali(anni) -> dict[int, Massimale]:
    return {m.anno: m for m in Massimale.objects.filter(anno__in=set(anni))}


def stima_righe(righe: QuerySet[RigaConsuntivo]) -> Stima:
    righe_list = list(righe.select_related("lavoratore", "consuntivo"))
    massimali = _massimali(r.consuntivo.mese.year for r in righe_list)
    stima = Stima()
    for riga in righe_list:
        anno = riga.consuntivo.mese.year
        if riga.retribuzione_mensile is None:
            stima.righe.append(StimaRiga(riga, None, str(SENZA_RETRIBUZIONE)))
        elif anno not in massimali:
            stima.righe.append(StimaRiga(riga, None, str(SENZA_MASSIMALE).format(anno=anno)))
        else:
            importo = stima_riga(
                retribuzione_mensile=riga.retribuzione_mensile,
                ore=riga.ore,
                ore_settimanali=riga.lavoratore.ore_settimanali,
                massimale=massimali[anno],
            )
            stima.righe.append(StimaRiga(riga, importo))
    return stima


def stima_consuntivo(consuntivo: Consuntivo) -> Stima:
    return stima_righe(consuntivo.righe.order_by("lavoratore__cognome", "lavoratore__nome"))


def stima_domanda(domanda: Domanda) -> Stima:
    """Per domanda: the sum of the estimates of every line of its consuntivi."""
    return stima_righe(
        RigaConsuntivo.objects.filter(consuntivo__domanda=domanda).order_by(
            "consuntivo__mese", "lavoratore__cognome", "lavoratore__nome"
        )
    )


# --- in the database, for many domande at once ------------------------------------------------------

_MONEY: DecimalField = DecimalField(max_digits=20, decimal_places=10)


def _massimale(campo: str) -> Subquery:
    return Subquery(Massimale.objects.filter(anno=OuterRef("anno")).values(campo)[:1])


def con_stima(righe: QuerySet[RigaConsuntivo]) -> QuerySet[RigaConsuntivo]:
    """Annotate each line with `stima` computed by the database with the same formula as
    `stima_riga` (NULL where there is no estimate), so totals over many domande are one query."""
    righe = righe.annotate(
        anno=ExtractYear("consuntivo__mese"),
        soglia=_massimale("soglia_retribuzione"),
        sotto=_massimale("importo_sotto"),
        sopra=_massimale("importo_sopra"),
        riduzione=_massimale("riduzione_percentuale"),
    )
    lorda = ExpressionWrapper(
        Value(QUOTA_INTEGRAZIONE)
        * F("retribuzione_mensile")
        * F("ore")
        * Value(MESI_ANNO)
        / (F("lavoratore__ore_settimanali") * Value(SETTIMANE_ANNO)),
        output_field=_MONEY,
    )
    netta = ExpressionWrapper(lorda * (Value(100) - F("riduzione")) / Value(100), output_field=_MONEY)
    massimale = Case(When(retribuzione_mensile__lte=F("soglia"), then=F("sotto")), default=F("sopra"))
    # PostgreSQL's LEAST ignores NULLs: without a pay (or without massimali) there is no estimate.
    stima = Case(
        When(
            Q(retribuzione_mensile__isnull=False, soglia__isnull=False),
            then=Round(Least(netta, massimale), 2, output_field=_MONEY),
        ),
        default=Value(None),
        output_field=_MONEY,
    )
    return righe.annotate(stima=stima)


@dataclass
class AnnoCruscotto:
    anno: int
    risorse: Decimal = Decimal("0.00")
    stima: Decimal = Decimal("0.00")
    domande: int = 0
    ore_autorizzate: Decimal = Decimal("0")
    impegno: Decimal = Decimal("0.00")  # stima_ore_autorizzate of the authorised domande
    ore_stimate: Decimal = Decimal("0")
    righe_senza_stima: int = 0

    @property
    def residuo(self) -> Decimal:
        return self.risorse - self.stima

    @property
    def residuo_atti(self) -> Decimal:
        """What the determinazioni may still authorise this year."""
        return self.risorse - self.impegno

    @property
    def percentuale(self) -> Decimal | None:
        return (self.stima * 100 / self.risorse).quantize(Decimal("0.1")) if self.risorse else None

    @property
    def costo_orario(self) -> Decimal | None:
        return (self.stima / self.ore_stimate).quantize(CENTESIMO) if self.ore_stimate else None

    @property
    def proiezione(self) -> Decimal | None:
        """The estimate plus the authorised hours not yet estimated at the average cost per hour."""
        if self.costo_orario is None:
            return None
        mancanti = max(self.ore_autorizzate - self.ore_stimate, Decimal(0))
        return (self.stima + mancanti * self.stima / self.ore_stimate).quantize(CENTESIMO)


def cruscotto() -> list[AnnoCruscotto]:
    """For each year: the Region's resources against the cost of the authorised domande, both as
    committed by the determinazioni (`impegno`, authorised hours at the year's massimali) and as
    estimated from their consuntivi.

    A domanda counts in the year its period starts; its estimate is that of the lines of its
    consuntivi. The projection adds the authorised hours not yet reported (or reported without pay)
    at the average estimated cost per hour of the year."""
    anni: dict[int, AnnoCruscotto] = defaultdict(lambda: AnnoCruscotto(0))

    def anno(a: int) -> AnnoCruscotto:
        if anni[a].anno == 0:
            anni[a].anno = a
        return anni[a]

    for row in RisorseRegionali.objects.values("anno").annotate(totale=Sum("importo")):
        anno(row["anno"]).risorse = row["totale"]
    autorizzate = Domanda.objects.filter(stato__in=AUTORIZZATE)
    for a, impegno in impegno_autorizzato().items():
        anno(a).impegno = impegno
    for row in (
        Lavoratore.objects.filter(domanda__in=autorizzate)
        .values(a=ExtractYear("domanda__data_inizio"))
        .annotate(
            ore=Sum(Coalesce("ore_autorizzate", "ore_richieste")), domande=Count("domanda", distinct=True)
        )
    ):
        anno(row["a"]).ore_autorizzate = row["ore"] or Decimal(0)
        anno(row["a"]).domande = row["domande"]
    righe = con_stima(RigaConsuntivo.objects.filter(consuntivo__domanda__in=autorizzate))
    for row in righe.values(a=ExtractYear("consuntivo__domanda__data_inizio")).annotate(
        stima_totale=Sum("stima"),
        ore_stimate=Sum("ore", filter=Q(stima__isnull=False)),
        senza=Count("pk", filter=Q(stima__isnull=True)),
    ):
        voce = anno(row["a"])
        voce.stima = (row["stima_totale"] or Decimal(0)).quantize(CENTESIMO)
        voce.ore_stimate = row["ore_stimate"] or Decimal(0)
        voce.righe_senza_stima = row["senza"]
    return sorted(anni.values(), key=lambda v: v.anno, reverse=True)


def domande_autorizzate_con_stima(limit: int = 50) -> QuerySet[Domanda]:
    """The authorised domande with the highest estimates, for the dashboard's table."""
    stima = Subquery(
        con_stima(RigaConsuntivo.objects.filter(consuntivo__domanda=OuterRef("pk")))
        .values("consuntivo__domanda")
        .annotate(totale=Sum("stima"))
        .values("totale")[:1]
    )
    return (
        Domanda.objects.filter(stato__in=AUTORIZZATE)
        .select_related("azienda", "registrazione")
        .annotate(
            stima=stima,
            ore_autorizzate=Sum(Coalesce("lavoratori__ore_autorizzate", "lavoratori__ore_richieste")),
        )
        .order_by(F("stima").desc(nulls_last=True), "pk")[:limit]
    )
