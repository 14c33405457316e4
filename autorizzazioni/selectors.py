"""Reads of the authorisation half: the public list of authorised domande (open data) and acts."""

from typing import Any

from django.db.models import Count, F, OuterRef, QuerySet, Subquery, Sum

from claims.constants import AUTORIZZATE
from claims.models import Domanda

from .constants import TipoDeterminazione
from .models import Determinazione, RigaDeterminazione

# The only columns the public list reads: nothing of a worker but how many there are and their hours.
CAMPI_PUBBLICI = (
    "pk",
    "azienda__ragione_sociale",
    "sede__comune__nome",
    "sede__comune__provincia_id",
    "data_inizio",
    "data_fine",
    "lavoratori_n",
    "ore",
    "atto_numero",
    "atto_anno",
    "atto_data",
)


def autorizzate_pubbliche(
    *, determinazione: Determinazione | None = None, provincia: str = ""
) -> QuerySet[Any]:
    """Domande authorised by a determinazione and not cancelled since, as the public may see them: one
    dict per domanda with only `CAMPI_PUBBLICI`, the authorising act first (a correction act changes
    the hours, not the act that authorised the domanda). Fixed number of queries whatever the rows."""
    atto = RigaDeterminazione.objects.filter(
        domanda=OuterRef("pk"), determinazione__tipo=TipoDeterminazione.AUTORIZZAZIONE
    ).order_by("determinazione__data", "pk")
    domande = Domanda.objects.filter(stato__in=AUTORIZZATE)
    if determinazione is not None:
        domande = domande.filter(righe_determinazione__determinazione=determinazione)
    if provincia:
        domande = domande.filter(sede__comune__provincia_id=provincia)
    lavoratori = Domanda.objects.filter(pk=OuterRef("pk")).annotate(
        n=Count("lavoratori"), ore=Sum("lavoratori__ore_autorizzate")
    )
    return (
        domande.annotate(
            lavoratori_n=Subquery(lavoratori.values("n")[:1]),
            ore=Subquery(lavoratori.values("ore")[:1]),
            atto_numero=Subquery(atto.values("determinazione__numero")[:1]),
            atto_anno=Subquery(atto.values("determinazione__anno")[:1]),
            atto_data=Subquery(atto.values("determinazione__data")[:1]),
        )
        .order_by(F("atto_data").desc(nulls_last=True), "pk")
        .values(*CAMPI_PUBBLICI)
    )


def determinazioni_pubbliche() -> QuerySet[Determinazione]:
    """The authorisation acts, for the public list's filter."""
    return Determinazione.objects.filter(tipo=TipoDeterminazione.AUTORIZZAZIONE).order_by("-anno", "-numero")
